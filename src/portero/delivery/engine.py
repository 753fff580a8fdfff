"""The engine: claims deliveries that are due, makes each call, records what came of it and
lets the delivery's handler decide what it means (done, try again later, failed).

The same `record` serves the first try, made inline by the request that needs the call, and
every retry made here: whoever holds the claim records, nobody else. No database transaction
is open while a call is made: a claim is one short transaction, the call none, the record
another.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery import repository
from portero.delivery.models import DeliveryStatus
from portero.delivery.repository import Claimed
from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.db import after_commit, session_scope
from portero.kit.db_reads import outside_transaction
from portero.kit.tasks import running_beside
from portero.retry import RetrySchedule
from portero.settings import Settings

log = logging.getLogger("portero.delivery")
GAUGE_EVERY_SECONDS = 15.0
# A receiver's Retry-After postpones the next try by at most this much: a day, the longest
# step of any schedule, so that a careless header cannot park a delivery for good.
MAX_RETRY_AFTER_SECONDS = 86_400.0


class Verdict(enum.StrEnum):
    done = "done"  # answered for good: the delivery is over
    retry = "retry"  # nothing is known yet: try again on the schedule
    failed = "failed"  # refused for good, or the schedule is spent


class Tried(Protocol):
    """What one try came to, as its history keeps it. A try may also carry `retry_after`
    (seconds, a receiver's Retry-After), which the next try then waits at least."""

    @property
    def outcome(self) -> str: ...
    @property
    def http_status(self) -> int | None: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def detail(self) -> str | None: ...


class Handler(Protocol):
    """What one kind of delivery does: make the call (no transaction open), then say what the
    answer means inside the transaction that records it. `last_try`: the schedule is spent if
    this try is not an answer, so the handler closes what depends on it (the round fails)."""

    async def send(self, claimed: Claimed) -> Tried: ...

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict: ...

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        """The delivery fails for a fault of Portero's own (a bug, a secret it cannot read):
        close what depends on it, for an operator."""
        ...


@dataclass(frozen=True, slots=True)
class Fault:
    """A try that failed before any answer, on Portero's side (a bug, a secret it cannot
    read): the error's class only, never its message."""

    detail: str
    outcome: str = "internal_error"
    http_status: int | None = None
    duration_ms: int = 0


class GivingUp:
    """The settlement of a `Fault`: try again while the schedule lasts, then let the handler
    close what depends on the delivery."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def send(self, claimed: Claimed) -> Tried:  # pragma: no cover (never sent)
        raise AssertionError("a fault is recorded, not sent")

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:
        if not last_try:
            return Verdict.retry
        note = f"Portero could not deliver it ({tried.detail}); see the logs"
        await self.handler.give_up(session, claimed, note)
        return Verdict.failed

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        await self.handler.give_up(session, claimed, note)  # pragma: no cover


class DeliveryEngine:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.handlers: dict[str, Handler] = {}
        self.schedules: dict[str, RetrySchedule] = {}
        self.timeouts: dict[str, float] = {}
        self._wake = asyncio.Event()

    def register(
        self,
        kind: str,
        handler: Handler,
        *,
        schedule: RetrySchedule | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        """`kind`'s deliveries go to `handler`, retried on `schedule` (the wallet's unless
        told), each try allowed `timeout_seconds` (the wallet's unless told)."""
        self.handlers[kind] = handler
        self.schedules[kind] = schedule or self.settings.retry_schedule
        self.timeouts[kind] = timeout_seconds or self.settings.wallet_timeout_seconds

    def schedule_of(self, kind: str) -> RetrySchedule:
        return self.schedules.get(kind, self.settings.retry_schedule)

    def lease_of(self, kind: str) -> timedelta:
        """How long a claim keeps others off: a try's timeout and a margin to record it."""
        timeout = self.timeouts.get(kind, self.settings.wallet_timeout_seconds)
        return timedelta(seconds=timeout + self.settings.delivery_lease_margin_seconds)

    @property
    def lease(self) -> timedelta:
        """The wallet calls' lease (what a round's own first try holds)."""
        return self.lease_of("")

    def _lease_groups(self) -> dict[timedelta, list[str]]:
        groups: dict[timedelta, list[str]] = {}
        for kind in self.handlers:
            groups.setdefault(self.lease_of(kind), []).append(kind)
        return groups

    def kick(self) -> None:
        """Look again now (something became due in this process)."""
        self._wake.set()

    async def run_once(self, *, now: datetime | None = None) -> int:
        """Claim what is due at `now` and deliver it; the number of deliveries tried. Tests
        pass a `now` ahead of the clock instead of waiting for a schedule."""
        tried, _due_in = await self._pass(now or utcnow())
        return tried

    async def next_due(self) -> datetime | None:
        """When the first pending delivery of a kind registered here is due: one statement,
        sent without a transaction (kit/db_reads.py), whatever the number of kinds."""
        if not self.handlers:
            return None
        async with outside_transaction(self.sessions) as session:
            return await repository.next_due(session, kinds=list(self.handlers))

    async def _pass(self, now: datetime) -> tuple[int, float | None]:
        """The deliveries tried, and, when none was due yet, in how many seconds the first
        one is (None: none pending, or some were due). The claims (a transaction per lease
        group) are made only once the probe has seen something due."""
        next_due = await self.next_due()
        if next_due is None:
            return 0, None
        if next_due > now:
            return 0, (next_due - now).total_seconds()
        claimed: list[Claimed] = []
        # Kinds whose tries last alike are claimed together, each group under its own lease.
        for lease, kinds in self._lease_groups().items():
            async with session_scope(self.sessions) as session:
                claimed += await repository.claim_due(
                    session,
                    now=now,
                    lease_until=now + lease,
                    limit=self.settings.delivery_batch_size,
                    kinds=kinds,
                )
        await asyncio.gather(*(self._deliver(item, now) for item in claimed))
        return len(claimed), None

    async def _deliver(self, claimed: Claimed, now: datetime) -> None:
        handler = self.handlers.get(claimed.kind)
        if handler is None:  # another version's kind: leave it to a process that knows it
            log.warning("no handler for delivery %s of kind %s", claimed.id, claimed.kind)
            return
        try:
            tried = await handler.send(claimed)
            await self.record(handler, claimed, tried, started_at=now, by="engine", now=now)
        except Exception as error:
            log.exception("delivery %s (%s) failed to be recorded", claimed.id, claimed.kind)
            try:
                await self._record_fault(handler, claimed, error, now)
            except Exception:
                # The claim stays, due again when its lease ends; each claim counts a try, so
                # even this path spends the schedule.
                log.exception("delivery %s: its fault could not be recorded", claimed.id)

    async def _record_fault(
        self, handler: Handler, claimed: Claimed, error: Exception, now: datetime
    ) -> None:
        """A try that failed on Portero's side counts like any other, so that a fault that
        repeats ends in a failed delivery (and round) instead of a call sent forever."""
        fault = Fault(detail=type(error).__name__)
        await self.record(GivingUp(handler), claimed, fault, started_at=now, by="engine", now=now)

    async def record(
        self,
        handler: Handler,
        claimed: Claimed,
        tried: Tried,
        *,
        started_at: datetime,
        by: str,
        now: datetime | None = None,
    ) -> Verdict | None:
        """Record one try of a claimed delivery and what it means; None when the claim is no
        longer the caller's (its lease ended and someone else holds it now)."""
        async with session_scope(self.sessions) as session:
            now = now or utcnow()
            if not await repository.hold(session, claimed, now=now):
                return None
            await repository.record_attempt(
                session,
                delivery_id=claimed.id,
                number=claimed.attempts,
                started_at=started_at,
                duration_ms=tried.duration_ms,
                outcome=tried.outcome,
                http_status=tried.http_status,
                detail=tried.detail,
                by=by,
            )
            delay = self.schedule_of(claimed.kind).delay_after(
                claimed.attempts, jitter=self.settings.wallet_retry_jitter
            )
            asked = getattr(tried, "retry_after", None)
            if delay is not None and asked is not None:
                delay = max(delay, min(float(asked), MAX_RETRY_AFTER_SECONDS))
            verdict = await handler.settle(session, claimed, tried, last_try=delay is None)
            await self._apply(session, claimed, verdict, tried, delay, now)
        return verdict

    async def _apply(
        self,
        session: AsyncSession,
        claimed: Claimed,
        verdict: Verdict,
        tried: Tried,
        delay: float | None,
        now: datetime,
    ) -> None:
        if verdict is Verdict.retry and delay is not None:
            due = now + timedelta(seconds=delay)
            await repository.reschedule(
                session, claimed.id, due_at=due, outcome=tried.outcome, now=now
            )
        else:
            status = DeliveryStatus.done if verdict is Verdict.done else DeliveryStatus.failed
            await repository.close(
                session, claimed.id, status=status, outcome=tried.outcome, now=now
            )
        result = verdict.value if verdict is not Verdict.retry or delay is not None else "spent"
        after_commit(session, metrics.DELIVERY_ATTEMPTS.labels(claimed.kind, result).inc)

    async def serve(self, *, interval: float | None = None) -> None:
        """Deliver what comes due, for as long as the process runs, looking every `interval`
        seconds (PORTERO_DELIVERY_POLL_SECONDS), at once when kicked, and at the instant the
        first pending delivery falls due if that is sooner. A look finding nothing due is one
        statement (`next_due`); what another process recorded is seen on the next look."""
        interval = interval or self.settings.delivery_poll_seconds
        gauges_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            # Cleared before the pass: a kick during it (a cancel that became due) is kept.
            self._wake.clear()
            tried, wait = 0, interval
            try:
                tried, due_in = await self._pass(utcnow())
                wait = interval if due_in is None else min(interval, due_in)
                if loop.time() >= gauges_at:
                    await self.update_gauges()
                    gauges_at = loop.time() + GAUGE_EVERY_SECONDS
            except Exception:
                log.warning("delivery engine: a pass failed; next in %ss", interval, exc_info=True)
            if tried >= self.settings.delivery_batch_size:
                continue  # more may be due at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def update_gauges(self) -> None:
        async with outside_transaction(self.sessions) as session:
            counts = await repository.undone_counts(session)
        for kind in set(self.handlers) | {kind for kind, _status in counts}:
            for status in (DeliveryStatus.pending, DeliveryStatus.failed):
                metrics.DELIVERIES.labels(kind, status.value).set(counts.get((kind, status), 0))


@contextlib.asynccontextmanager
async def serving(engine: DeliveryEngine, *, enabled: bool) -> AsyncIterator[None]:
    """The engine's loop for the life of a process (`enabled` False: tests drive it)."""
    if not enabled:
        yield
        return
    async with running_beside(engine.serve(), name="delivery engine"):
        yield
