"""The clock of the call product: every process runs it (each step is a set of conditional
UPDATEs, so several processes neither double-act nor conflict), and a join, an answer or a
change of presence nudges it to run at once rather than on the next tick."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import ending, presence, queue, routing
from portero.calls.outbox import Outbox, Publisher, commit_then_publish
from portero.calls.timings import CallTimings
from portero.kit.clock import utcnow

log = logging.getLogger("portero.calls")


async def tick(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> None:
    """Everything that happens by the clock, then routing of whatever is waiting."""
    await presence.expire_silent_agents(session, outbox, now=now, timings=timings)
    await routing.expire_offers(session, outbox, now=now, timings=timings)
    await queue.give_up_overdue(session, outbox, now=now, timings=timings)
    await ending.drop_silent(session, outbox, now=now, timings=timings)
    await routing.route(session, outbox, now=now, timings=timings)


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

    async def run_once(self) -> None:
        await commit_then_publish(
            self._sessions,
            self._publisher,
            lambda session, outbox: tick(session, outbox, now=utcnow(), timings=self._timings),
        )

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), timeout=self._interval)
            self._nudged.clear()
            try:
                await self.run_once()
            except Exception:
                # A deadlock victim or a lost connection: the next tick does the work again.
                log.warning("call dispatch failed; retrying on the next tick", exc_info=True)
