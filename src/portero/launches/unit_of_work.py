"""One transaction around the hot-path store: asyncpg's on PostgreSQL, SQLAlchemy's otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.kit.pg_pool import FairPool
from portero.launches.pg_store import AsyncpgLaunchStore
from portero.launches.store import LaunchStore, SessionLaunchStore


@asynccontextmanager
async def launch_store_scope(
    sessions: async_sessionmaker[AsyncSession],
    pg_pool: FairPool | None,
    *,
    wait_seconds: float,
) -> AsyncIterator[LaunchStore]:
    """Commit if the block succeeds, roll back if it raises; after-commit actions run only
    after a commit. (On asyncpg, single-statement work runs without an explicit transaction:
    see AsyncpgLaunchStore.)"""
    if pg_pool is None:
        async with session_scope(sessions) as session:
            yield SessionLaunchStore(session)
        return
    async with pg_pool.acquire(wait_seconds=wait_seconds) as connection:
        store = AsyncpgLaunchStore(connection)
        try:
            yield store
        except BaseException:
            await store.finish(commit=False)
            raise
        await store.finish(commit=True)
    store.committed()
