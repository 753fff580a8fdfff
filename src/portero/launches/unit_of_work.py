"""One transaction around the hot-path store: asyncpg's on PostgreSQL, SQLAlchemy's otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
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


def launch_store(runtime: Runtime) -> AbstractAsyncContextManager[LaunchStore]:
    """A transaction for the hot paths, on the process's own connections."""
    return launch_store_scope(
        runtime.sessions, runtime.pg_pool, wait_seconds=runtime.settings.db_pool_timeout_seconds
    )
