"""Looking at the database directly from a test.

The application's every read of a partner's rows must say whose rows it reads (the tenancy
guard, kit/tenancy.py, is on in every test). A test that inspects rows itself reads across
partners on purpose: `inspecting()` gives it a session whose statements all say so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from portero.kit import tenancy


@asynccontextmanager
async def inspecting(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work that reads across partners; it commits if the block succeeds."""
    engine: AsyncEngine = sessions.kw["bind"]
    async with engine.connect() as connection:
        await connection.execution_options(**{tenancy.OPTION: tenancy.ACROSS_PARTNERS})
        async with AsyncSession(bind=connection, expire_on_commit=False) as session:
            yield session
            await session.commit()
