"""Periodic bookkeeping: record expiries and end play sessions that timed out.

Every process may run it: each launch changes state once (the UPDATEs re-check the status), so
several sweepers neither double-count the metrics nor conflict.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.db import after_commit, session_scope
from portero.kit.tasks import running_beside
from portero.launches import repository, session_repository
from portero.launches.events import launch_event

log = logging.getLogger("portero.sweeper")


async def sweep_once(session: AsyncSession) -> tuple[int, int]:
    """Returns (launches marked expired, launches ended by session timeout)."""
    now = utcnow()
    expired = await repository.mark_expired(session, now=now)
    counts = Counter((str(row.partner_id), row.product) for row in expired)

    def count() -> None:
        for labels, number in counts.items():
            metrics.LAUNCHES_EXPIRED.labels(*labels).inc(number)

    after_commit(session, count)
    for row in expired:
        await launch_event(
            session, partner_id=row.partner_id, launch_id=row.id, event_type="launch.expired"
        )
    ended = await session_repository.end_stale_sessions(session, now=now)
    return len(expired), ended


async def run_forever(sessions: async_sessionmaker[AsyncSession], interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            async with session_scope(sessions) as session:
                await sweep_once(session)
        except Exception:
            log.warning("expiry sweep failed; next try in %ss", interval, exc_info=True)


@contextlib.asynccontextmanager
async def sweeping(_app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    """The sweep, every `expiry_sweep_seconds` (0: never, as in tests that sweep by hand)."""
    interval = runtime.settings.expiry_sweep_seconds
    if interval <= 0:
        yield
        return
    async with running_beside(run_forever(runtime.sessions, interval), name="expiry sweep"):
        yield
