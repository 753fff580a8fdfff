"""Reads that need no transaction: the probes a clock runs every second to learn whether it has
anything to do (calls/dispatcher.py, delivery/engine.py).

A single statement is atomic by itself, so it is sent without BEGIN/COMMIT: on PostgreSQL a
probe is one statement and one (implicit) transaction, where a session's unit of work would be
three statements. Only for statements that each stand alone; a read whose parts must agree
with one another belongs in `kit.db.session_scope`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@asynccontextmanager
async def outside_transaction(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session of `factory`'s engine whose every statement commits by itself (AUTOCOMMIT);
    the connection goes back to the pool at its default isolation level."""
    engine: AsyncEngine = factory.kw["bind"]
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        async with AsyncSession(bind=connection) as session:
            yield session
