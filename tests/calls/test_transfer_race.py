"""Two server processes at the same instant on PostgreSQL, one free agent between them: two
transfers to her, or a transfer and the routing of a waiting call. Whatever the interleaving,
she has one offer ringing, and the other side learns that she was taken."""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import datetime
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from portero.calls import transfers
from portero.calls.errors import TransferUnavailable
from portero.calls.models import Call, CallAgent, CallOffer, CallTransfer, Presence
from portero.calls.outbox import Outbox
from portero.calls.routing import route
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from tests.conftest import make_settings
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting

pytestmark = pytest.mark.slow

ROUNDS = 3


def _act(url: str, barrier: Barrier, now: datetime, task: tuple[Any, ...], results: Any) -> None:
    """One process's move: ("transfer", agent id, call id, target code) or ("route",)."""

    async def move(session: Any) -> str:
        if task[0] == "route":
            return f"routed {await route(session, Outbox(), now=now, timings=TIMINGS)}"
        _, agent_id, call_id, code = task
        try:
            await transfers.start(
                session, Outbox(), agent_id=agent_id, call_id=call_id, to_agent=code,
                to_category=None, note=None, now=now, timings=TIMINGS,
            )  # fmt: skip
        except TransferUnavailable:
            return "unavailable"
        return "ringing"

    async def main() -> str:
        engine = create_engine(make_settings(url))
        try:
            sessions = create_sessionmaker(engine)
            async with session_scope(sessions) as session:
                await session.execute(select(1))  # connect before the start line
            barrier.wait(timeout=30)
            async with session_scope(sessions) as session:
                return await move(session)
        finally:
            await engine.dispose()

    results.put(asyncio.run(main()))


def _race(url: str, now: datetime, tasks: list[tuple[Any, ...]]) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(tasks))
    results = context.Queue()
    workers = [
        context.Process(target=_act, args=(url, barrier, now, task, results)) for task in tasks
    ]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return sorted(found)


async def _connected(desk: CallDesk, category: str, agent: CallAgent) -> str:
    call_id = await desk.customer(category_code=category)
    await desk.run(
        lambda s, o: transfers.answer_offer(s, o, agent_id=agent.id, call_id=call_id, now=desk.now)
    )
    return call_id


async def _free_again(desk: CallDesk, agent: CallAgent) -> None:
    """Back to available with nothing ringing, without routing: the race is what offers."""
    async with inspecting(desk.sessions) as session:
        await session.execute(
            update(CallAgent)
            .where(CallAgent.id == agent.id)
            .values(presence=Presence.available, seen_at=desk.now, offer_call_id=None)
        )
        await session.execute(
            update(CallTransfer).where(CallTransfer.status == "ringing").values(status="timeout")
        )


async def _ringing_on(desk: CallDesk, agent: CallAgent) -> str | None:
    async with inspecting(desk.sessions) as session:
        found = await session.scalar(
            select(CallAgent.offer_call_id).where(CallAgent.id == agent.id)
        )
        return str(found) if found is not None else None


async def test_two_transfers_to_one_agent_ring_her_once(postgres_desk: CallDesk) -> None:
    desk = postgres_desk
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    ana, carlos = await desk.agent("Ana", sales), await desk.agent("Carlos", support)
    first, second = await _connected(desk, sales, ana), await _connected(desk, support, carlos)
    bea = await desk.agent("Bea", available=False)
    moves = [("transfer", ana.id, first, bea.code), ("transfer", carlos.id, second, bea.code)]
    for _ in range(ROUNDS):
        await _free_again(desk, bea)
        assert _race(desk.database_url, desk.now, moves) == ["ringing", "unavailable"]
        assert await _ringing_on(desk, bea) in {first, second}


async def test_a_transfer_and_a_waiting_call_race_for_one_agent(postgres_desk: CallDesk) -> None:
    desk = postgres_desk
    sales = await desk.category("Ventas")
    ana = await desk.agent("Ana", sales)
    call_id = await _connected(desk, sales, ana)
    bea = await desk.agent("Bea", available=False)
    waiting = await desk.customer("Otra")  # for anyone: waits, nobody is free
    moves = [("transfer", ana.id, call_id, bea.code), ("route",)]
    for _ in range(ROUNDS):
        await _free_again(desk, bea)
        outcome = _race(desk.database_url, desk.now, moves)
        ringing = await _ringing_on(desk, bea)
        if ringing == call_id:
            assert outcome == ["ringing", "routed 0"]
        else:
            assert (ringing, outcome) == (waiting, ["routed 1", "unavailable"])
            # Put the waiting call back for the next round.
            async with inspecting(desk.sessions) as session:
                await session.execute(
                    update(Call)
                    .where(Call.id == waiting)
                    .values(status="waiting", agent_id=None, offer_expires_at=None)
                )
                await session.execute(delete(CallOffer).where(CallOffer.call_id == waiting))
