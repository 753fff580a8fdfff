"""The clock of the call product: every process runs it (each step is a set of conditional
UPDATEs, so several processes neither double-act nor conflict), and a join, an answer or a
change of presence nudges it to look at once rather than on the next tick.

A look costs one statement while nothing is due: a probe (`call_repository.clock_outlook`,
sent without a transaction, served by partial indexes) tells whether calls wait for an agent
and when the earliest deadline of the clock's steps falls. Only then does the clock act: every
step when a deadline has come, routing alone while calls merely wait. Between looks it sleeps
until that deadline or for the tick interval, whichever is sooner, or until nudged; so work
that another process created is seen within the interval, as before, and a deadline is met
on time rather than up to an interval late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import call_repository as calls
from portero.calls import desk_gauges, ending, presence, queue, routing, transfers
from portero.calls.outbox import Outbox, Publisher, commit_then_publish
from portero.calls.timings import CallTimings
from portero.kit.clock import utcnow
from portero.kit.db_reads import outside_transaction

log = logging.getLogger("portero.calls")


async def tick(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> None:
    """Everything that happens by the clock, then routing of whatever is waiting."""
    await presence.expire_silent_agents(session, outbox, now=now, timings=timings)
    await routing.expire_offers(session, outbox, now=now, timings=timings)
    await transfers.expire(session, outbox, now=now, timings=timings)
    await queue.give_up_overdue(session, outbox, now=now, timings=timings)
    await ending.drop_silent(session, outbox, now=now, timings=timings)
    await routing.route(session, outbox, now=now, timings=timings)


@dataclass(frozen=True, slots=True)
class Outlook:
    """What the probe found: whether calls wait for an agent (routing has work on every
    tick), and the earliest instant at which a step of `tick` finds something to do (None:
    no open call and no agent present)."""

    waiting: bool
    next_due: datetime | None

    def due(self, now: datetime) -> bool:
        return self.next_due is not None and self.next_due <= now

    def seconds_to_wait(self, now: datetime, *, at_most: float) -> float:
        """How long the clock may sleep before it looks again."""
        if self.next_due is None:
            return at_most
        return max(0.0, min(at_most, (self.next_due - now).total_seconds()))


async def outlook(session: AsyncSession, *, timings: CallTimings) -> Outlook:
    """The probe, in the terms of the steps: each instant is the one at which that step's own
    condition starts to hold (a heartbeat counts for the grace period)."""
    row = await calls.clock_outlook(session)
    heartbeats = (row.customer_seen, row.talking_agent_seen, row.agent_seen)
    deadlines = [row.offer_ends, row.give_up, row.transfer_ends]
    deadlines += [seen + timings.grace for seen in heartbeats if seen is not None]
    return Outlook(
        waiting=bool(row.waiting),
        next_due=min((at for at in deadlines if at is not None), default=None),
    )


async def look(
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    *,
    now: datetime,
    timings: CallTimings,
) -> Outlook:
    """One look of the clock at `now`: the probe, then what it calls for, in one transaction
    (every step if a deadline has come; routing alone if calls only wait; nothing else)."""
    async with outside_transaction(sessions) as session:
        found = await outlook(session, timings=timings)
    if found.due(now):
        await commit_then_publish(
            sessions, publisher, lambda s, o: tick(s, o, now=now, timings=timings)
        )
    elif found.waiting:
        await commit_then_publish(
            sessions, publisher, lambda s, o: routing.route(s, o, now=now, timings=timings)
        )
    return found


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        timings: CallTimings,
        *,
        interval: float,
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._timings = timings
        self._interval = interval
        self._nudged = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def nudge(self) -> None:
        self._nudged.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self) -> float:
        """Look now; how long to sleep before the next look. After acting, a whole interval
        (as the clock always did): a step that could not finish (another process took the
        row, a deadlock) is not retried at once, and nothing spins."""
        now = utcnow()
        found = await look(self._sessions, self._publisher, now=now, timings=self._timings)
        if found.due(now):
            return self._interval
        return found.seconds_to_wait(now, at_most=self._interval)

    async def _run(self) -> None:
        wait = self._interval
        loop = asyncio.get_running_loop()
        gauges_at = loop.time()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), timeout=wait)
            self._nudged.clear()
            try:
                wait = await self.run_once()
                if loop.time() >= gauges_at:  # the desk's figures for the metrics
                    gauges_at = loop.time() + desk_gauges.GAUGE_EVERY_SECONDS
                    await desk_gauges.refresh(self._sessions, now=utcnow())
            except Exception:
                # A deadlock victim or a lost connection: the next tick does the work again.
                log.warning("call dispatch failed; retrying on the next tick", exc_info=True)
                wait = self._interval
