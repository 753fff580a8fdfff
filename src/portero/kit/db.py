"""Engine, sessions and the declarative base.

One transaction per operation: `session_scope()` (CLI) and the request dependency (HTTP) commit
on success and roll back on any error; services only `flush()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, TypeDecorator, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

from portero.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Row

# A result row of any width (SQLAlchemy types rows by their columns).
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets readers run beside the writer; NORMAL keeps durability at transaction granularity
    # in WAL mode while avoiding an fsync per commit; busy_timeout makes concurrent writers
    # (two processes on one file) wait for the lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    url = settings.database_url
    if settings.is_sqlite:
        ensure_sqlite_directory(url)
        engine = create_async_engine(
            url,
            pool_size=pool_size or 1,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
            hide_parameters=True,
        )
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size or settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=1800,
        # Parameters carry token hashes and personal data: keep them out of errors and logs.
        hide_parameters=True,
        connect_args={"timeout": 5, "command_timeout": 10},
    )


def ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    """Run `action` once the unit of work has committed (metrics, cache hints): never for
    work that was rolled back."""
    session.info.setdefault("after_commit", []).append(action)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work: commit if the block succeeds, roll back if it raises. A session the block
    never used (a round on the hot path's own connection) is neither committed nor closed:
    with no transaction and nothing loaded there is nothing to end, and each of those calls
    costs a greenlet switch."""
    session = factory()
    try:
        yield session
        if session.in_transaction():
            await session.commit()
    except BaseException:
        await _close(session)  # rolls back whatever is open
        raise
    if session.in_transaction() or session.identity_map:
        await _close(session)
    for action in session.info.pop("after_commit", ()):
        action()


async def _close(session: AsyncSession) -> None:
    """As `async with` ends a session: its close runs to completion (in a task of its own,
    shielded) even if the caller is cancelled meanwhile, so no connection is left out."""
    await session.__aexit__(None, None, None)


def matched(result: Any) -> bool:
    """Whether a conditional UPDATE or DELETE changed a row (the loser of a race sees False)."""
    return bool(getattr(result, "rowcount", 0))


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT construct of the session's backend, which knows ON CONFLICT."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert
