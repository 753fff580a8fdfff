"""Database faults as the application meets them, for tests that inject them."""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi


def wrapped_by_sqlalchemy(error: Exception) -> sa_exc.DBAPIError:
    """An asyncpg error as SQLAlchemy's asyncpg dialect raises it: its DBAPI adapter's
    exception, raised from asyncpg's, inside SQLAlchemy's own."""
    adapted = AsyncAdapt_asyncpg_dbapi.InternalClientError(str(error), error)
    adapted.__cause__ = error
    return sa_exc.InternalError("SELECT 1", None, adapted)


def client_fault() -> asyncpg.InternalClientError:
    """What asyncpg raises when the server restarts under a busy connection."""
    return asyncpg.InternalClientError("got result for unknown protocol state 3")
