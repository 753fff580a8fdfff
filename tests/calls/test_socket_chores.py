"""A socket's database work runs beside its relay: while a page's heartbeat waits for the
database (here, for a row another transaction holds), its pong and the signals of its call are
not held up, and the heartbeat is written once the row is free."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, update

from portero.calls.models import Call
from portero.calls.ws import messages
from portero.kit.clock import utcnow
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.kit.secrets import hash_token
from portero.launches.models import PlaySession
from tests.support.call_sockets import OFFER, Desk, connect_call, make_desk
from tests.support.live import WAIT_SECONDS, Peer, live_server
from tests.support.polling import eventually


@pytest.fixture
async def clockless_postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    """The call clock off, so that nothing but the pages writes the rows this test locks."""
    async for made in make_desk(postgres_url, tick_seconds=0):
        yield made


def asyncpg_url(postgres_url: str) -> str:
    return postgres_url.replace("postgresql+asyncpg://", "postgresql://")


# Each side's heartbeat: the row it writes, locked (`FOR UPDATE`) or read by the call's id.
AGENT_ROW = "FROM call_agent WHERE id = (SELECT agent_id FROM call WHERE id = $1)"
HEARTBEAT_ROWS = {
    "customer": (
        "SELECT 1 FROM call WHERE id = $1 FOR UPDATE",
        "SELECT customer_seen_at FROM call WHERE id = $1",
    ),
    "agent": (f"SELECT 1 {AGENT_ROW} FOR UPDATE", f"SELECT seen_at {AGENT_ROW}"),
}


async def seen_at(connection: asyncpg.Connection, side: str, call_id: str) -> datetime | None:
    value: datetime | None = await connection.fetchval(HEARTBEAT_ROWS[side][1], call_id)
    return value


@pytest.mark.parametrize("side", ["customer", "agent"])
async def test_a_heartbeat_waiting_for_the_database_holds_up_no_message(
    clockless_postgres_desk: Desk, postgres_url: str, side: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = clockless_postgres_desk
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        pinging, other = (customer, agent) if side == "customer" else (agent, customer)
        monkeypatch.setattr(messages, "HEARTBEAT_SECONDS", 0.0)  # every ping is due one
        holder = await asyncpg.connect(asyncpg_url(postgres_url), timeout=WAIT_SECONDS)
        reader = await asyncpg.connect(asyncpg_url(postgres_url), timeout=WAIT_SECONDS)
        try:
            before = await seen_at(reader, side, call_id)
            lock = holder.transaction()
            await lock.start()
            await holder.execute(HEARTBEAT_ROWS[side][0], call_id)
            await pinging.send({"type": "ping"})
            await pinging.expect("pong")  # not after the write, which waits for the row
            await exchange_one_signal(agent, customer, call_id, from_side=side)
            await exchange_one_signal(agent, customer, call_id, from_side=other_side(side))
            assert await seen_at(reader, side, call_id) == before  # still waiting
            await lock.rollback()
            await eventually(lambda: _changed(reader, side, call_id, before))
        finally:
            await holder.close()
            await reader.close()
        await pinging.close()
        await other.close()


async def _changed(
    reader: asyncpg.Connection, side: str, call_id: str, before: datetime | None
) -> bool:
    return await seen_at(reader, side, call_id) != before


def other_side(side: str) -> str:
    return "agent" if side == "customer" else "customer"


async def exchange_one_signal(agent: Peer, customer: Peer, call_id: str, *, from_side: str) -> None:
    if from_side == "agent":
        await agent.send({"type": "signal", "call_id": call_id, "data": OFFER})
        got = await customer.expect("signal")
    else:
        await customer.send({"type": "signal", "data": OFFER})
        got = await agent.expect("signal")
    assert (got["from"], got["data"]) == (from_side, OFFER)


@pytest.fixture
async def quick_check_desk(database_url: str) -> AsyncIterator[Desk]:
    """The play session checked every 50 ms, the call clock off."""
    async for made in make_desk(database_url, tick_seconds=0, revalidate_seconds=0.05):
        yield made


async def test_a_check_the_socket_lets_pass_comes_again_only_when_due(
    quick_check_desk: Desk,
) -> None:
    """A customer whose call is over (here: ended in the database, its news never sent) keeps
    its socket while the check finds the session ended; that check still waits its interval,
    rather than running again at once, over and over."""
    desk = quick_check_desk
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        engine = server.app.state.runtime.engine
        writer = create_engine(server.settings)  # the test's own: the server's is its loop's
        try:
            async with session_scope(create_sessionmaker(writer)) as session:
                await session.execute(
                    update(Call)
                    .where(Call.id == call_id)
                    .values(status="completed", ended_at=utcnow())
                )
                await session.execute(
                    update(PlaySession)
                    .where(PlaySession.token_hash == hash_token(customer.token))
                    .values(ended_at=utcnow())
                )
        finally:
            await writer.dispose()
        checks: list[float] = []

        digest = hash_token(customer.token)  # the customer's checks, not the console's

        def seen(
            _conn: object, _cursor: object, _statement: str, parameters: Any, *_: object
        ) -> None:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            if digest in tuple(values or ()):
                checks.append(time.monotonic())

        event.listen(engine.sync_engine, "before_cursor_execute", seen)
        try:

            async def four_checks() -> bool:
                return len(checks) >= 4

            await eventually(four_checks)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", seen)
        gaps = [later - earlier for earlier, later in itertools.pairwise(checks)]
        assert min(gaps) >= 0.04, gaps
        await customer.close()
        await agent.close()
