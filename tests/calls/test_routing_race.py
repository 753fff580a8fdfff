"""Two server processes routing at the same instant on PostgreSQL: one agent is never offered
two calls, and one call never rings on two agents.

Each round makes the race again: both processes wait at a barrier, then route in their own
transaction on their own connection. Whatever the interleaving, exactly one offer may result.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import datetime
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest
from sqlalchemy import func, select, update

from portero.calls.models import Call, CallAgent, CallOffer, CallStatus, Presence
from portero.calls.outbox import Outbox
from portero.calls.routing import route
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from tests.conftest import make_settings
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting

# Separate OS processes on one PostgreSQL database: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

ROUNDS = 4
PROCESSES = 2


def _route_in_a_process(url: str, barrier: Barrier, now: datetime, results: Any) -> None:
    async def main() -> int:
        engine = create_engine(make_settings(url))
        try:
            sessions = create_sessionmaker(engine)
            async with session_scope(sessions) as session:
                await session.execute(select(1))  # connect before the start line
            barrier.wait(timeout=30)
            async with session_scope(sessions) as session:
                return await route(session, Outbox(), now=now, timings=TIMINGS)
        finally:
            await engine.dispose()

    results.put(asyncio.run(main()))


def _race(url: str, now: datetime) -> list[int]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_route_in_a_process, args=(url, barrier, now, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    offers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return offers


async def _make_available(desk: CallDesk, *agents: CallAgent) -> None:
    """Available without routing yet: the race is what routes."""
    async with inspecting(desk.sessions) as session:
        await session.execute(
            update(CallAgent)
            .where(CallAgent.id.in_([a.id for a in agents]))
            .values(presence=Presence.available, seen_at=desk.now, offer_call_id=None)
        )


async def _offers_made(desk: CallDesk, call_ids: list[str]) -> list[tuple[str, int | None]]:
    async with inspecting(desk.sessions) as session:
        rows = await session.execute(
            select(Call.id, Call.agent_id).where(
                Call.id.in_(call_ids), Call.status == CallStatus.ringing
            )
        )
        return [(call_id, agent_id) for call_id, agent_id in rows.all()]


async def _offer_rows(desk: CallDesk, call_ids: list[str]) -> int:
    async with inspecting(desk.sessions) as session:
        count = await session.scalar(
            select(func.count()).select_from(CallOffer).where(CallOffer.call_id.in_(call_ids))
        )
        return int(count or 0)


async def test_two_processes_racing_for_one_agent(postgres_desk: CallDesk) -> None:
    desk = postgres_desk
    for _ in range(ROUNDS):
        agent = await desk.agent("Única", available=False)
        calls = [await desk.customer(f"Cliente {n}") for n in range(3)]
        await _make_available(desk, agent)
        offers = await asyncio.to_thread(_race, desk.database_url, desk.now)
        assert sum(offers) == 1
        ringing = await _offers_made(desk, calls)
        assert len(ringing) == 1
        assert ringing[0][1] == agent.id
        assert (await desk.agent_row(agent.id)).offer_call_id == ringing[0][0]
        assert await _offer_rows(desk, calls) == 1
        await _retire(desk, calls, agent)


async def test_two_processes_racing_for_one_call(postgres_desk: CallDesk) -> None:
    desk = postgres_desk
    for _ in range(ROUNDS):
        agents = [await desk.agent(name, available=False) for name in ("Ana", "Berta")]
        call_id = await desk.customer()
        await _make_available(desk, *agents)
        offers = await asyncio.to_thread(_race, desk.database_url, desk.now)
        assert sum(offers) == 1
        ringing = await _offers_made(desk, [call_id])
        assert len(ringing) == 1
        holders = [a.id for a in agents if (await desk.agent_row(a.id)).offer_call_id]
        assert holders == [ringing[0][1]]
        assert await _offer_rows(desk, [call_id]) == 1
        await _retire(desk, [call_id], *agents)


async def _retire(desk: CallDesk, call_ids: list[str], *agents: CallAgent) -> None:
    """Clear the round's calls and agents out of the next round's way."""
    async with inspecting(desk.sessions) as session:
        await session.execute(
            update(Call).where(Call.id.in_(call_ids)).values(status=CallStatus.abandoned)
        )
        await session.execute(
            update(CallAgent)
            .where(CallAgent.id.in_([a.id for a in agents]))
            .values(presence=Presence.offline, offer_call_id=None)
        )
