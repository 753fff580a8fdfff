"""The delivery engine's look, on SQLite and PostgreSQL: with nothing due it costs one
statement (for every kind at once), and what falls due, whoever recorded it, is still tried
at its time and within the poll interval.

Each test registers a kind of its own on an engine of its own: other tests' deliveries,
in the database the whole run shares, are neither seen nor taken.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery import repository
from portero.delivery.engine import DeliveryEngine, Tried, Verdict
from portero.delivery.models import DeliveryStatus
from portero.delivery.repository import Claimed
from portero.kit.clock import utcnow
from portero.kit.db import after_commit, session_scope
from portero.kit.ids import new_id
from portero.kit.tasks import running_beside
from portero.retry import RetrySchedule
from portero.settings import Settings
from tests.support.factories import PartnerFixture, make_partner
from tests.support.statements import statements_sent


@dataclass(frozen=True, slots=True)
class Answered:
    outcome: str = "OK"
    http_status: int | None = 200
    duration_ms: int = 1
    detail: str | None = None


class Recording:
    """A handler whose calls are always answered: it notes what it was given."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.recorded = asyncio.Event()  # a try's answer has been committed

    async def send(self, claimed: Claimed) -> Tried:
        self.sent.append(claimed.id)
        return Answered()

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:
        after_commit(session, self.recorded.set)
        return Verdict.done

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        raise AssertionError(note)


@dataclass
class Engine:
    engine: DeliveryEngine
    handler: Recording
    kind: str
    partner: PartnerFixture
    sessions: async_sessionmaker[AsyncSession]
    owed: list[str] = field(default_factory=list)

    async def owe(self, *, due_at: datetime) -> str:
        """A delivery of the test's kind due at `due_at`, recorded as any process records
        one (the engine is not told)."""
        delivery_id = new_id("dlv")
        async with session_scope(self.sessions) as session:
            await repository.add(
                session,
                id=delivery_id,
                partner_id=self.partner.id,
                kind=self.kind,
                subject_id=delivery_id,
                payload={},
                due_at=due_at,
                now=utcnow(),
            )
        self.owed.append(delivery_id)
        return delivery_id

    async def close_all(self) -> None:
        """Nothing of the test's is left pending: the database is shared by the whole run,
        and a test that claims whatever is due must not find it."""
        async with session_scope(self.sessions) as session:
            for delivery_id in self.owed:
                await repository.close(
                    session, delivery_id, status=DeliveryStatus.done, outcome="test", now=utcnow()
                )


@pytest.fixture
async def engine(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[Engine]:
    made = DeliveryEngine(sessions, settings)
    handler = Recording()
    kind = f"test.{secrets.token_hex(4)}"
    made.register(kind, handler, schedule=RetrySchedule.parse("1x60"), timeout_seconds=1)
    testing = Engine(made, handler, kind, await make_partner(sessions), sessions)
    yield testing
    await testing.close_all()


def running_engine(engine: DeliveryEngine, *, interval: float) -> AbstractAsyncContextManager[None]:
    return running_beside(engine.serve(interval=interval), name="delivery engine")


async def test_a_look_with_nothing_due_is_one_statement(engine: Engine) -> None:
    with statements_sent(engine.sessions.kw["bind"]) as statements:
        assert await engine.engine.run_once() == 0
    assert len(statements) == 1, statements
    assert await engine.engine.next_due() is None


async def test_a_delivery_is_tried_on_the_look_at_its_time(engine: Engine) -> None:
    now = utcnow()
    delivery_id = await engine.owe(due_at=now + timedelta(seconds=5))
    assert await engine.engine.next_due() == now + timedelta(seconds=5)
    assert await engine.engine.run_once(now=now + timedelta(seconds=4.9)) == 0
    assert engine.handler.sent == []
    assert await engine.engine.run_once(now=now + timedelta(seconds=5)) == 1
    assert engine.handler.sent == [delivery_id]
    assert await engine.engine.next_due() is None  # done


async def test_a_running_engine_wakes_when_the_first_delivery_falls_due(engine: Engine) -> None:
    await engine.owe(due_at=utcnow() + timedelta(seconds=0.3))
    async with running_engine(engine.engine, interval=30):
        # Far sooner than the interval: the engine sleeps until the delivery's time.
        await asyncio.wait_for(engine.handler.recorded.wait(), timeout=5)


async def test_a_running_engine_finds_what_another_process_recorded_within_its_interval(
    engine: Engine,
) -> None:
    async with running_engine(engine.engine, interval=0.2):
        await asyncio.sleep(0.3)  # it has looked, found nothing, and sleeps
        delivery_id = await engine.owe(due_at=utcnow())
        await asyncio.wait_for(engine.handler.recorded.wait(), timeout=5)
    assert engine.handler.sent == [delivery_id]
