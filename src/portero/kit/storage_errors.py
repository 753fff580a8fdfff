"""Telling a passing database fault (retry later) from a bug (log it, answer 500)."""

from __future__ import annotations

import sqlite3

import asyncpg
from sqlalchemy import exc as sa_exc

# SQLSTATE classes that mean "not now": connection exception, insufficient resources,
# operator intervention (admin shutdown, pg_terminate_backend), and serialization failures.
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "53", "57", "40001", "40P01")


def _sqlstate(error: BaseException) -> str | None:
    for candidate in (error, getattr(error, "orig", None), getattr(error, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str):
            return state
    return None


def _caused_by_client_fault(error: BaseException) -> bool:
    """Whether asyncpg's client lost track of its connection, directly or under SQLAlchemy's
    wrapper (which keeps asyncpg's exception as the cause of its own)."""
    seen: BaseException | None = error
    for _ in range(4):  # the error, SQLAlchemy's DBAPI adapter, asyncpg's: never deeper
        if seen is None:
            return False
        if isinstance(seen, asyncpg.InternalClientError):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def is_transient_storage_error(error: BaseException) -> bool:
    if isinstance(error, (sa_exc.TimeoutError, ConnectionError, TimeoutError)):
        return True
    if isinstance(error, asyncpg.InterfaceError):  # e.g. the connection was closed under us
        return True
    # A server restarting under a busy connection leaves asyncpg's protocol in a state it did
    # not expect ("unknown protocol state", a protocol error): a passing fault like a dropped
    # connection, for the client to retry, not a bug of the request.
    if _caused_by_client_fault(error):
        return True
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "").startswith(_TRANSIENT_SQLSTATE_PREFIXES)
    if isinstance(error, OSError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        state = _sqlstate(error)
        if state and state.startswith(_TRANSIENT_SQLSTATE_PREFIXES):
            return True
        message = str(error.orig).lower() if error.orig is not None else ""
        if isinstance(error, sa_exc.OperationalError) or isinstance(
            error.orig, sqlite3.OperationalError
        ):
            return "locked" in message or "busy" in message or "unable to open" in message
        return "connection" in message and ("closed" in message or "terminat" in message)
    return isinstance(error, sa_exc.InterfaceError)


def is_unstorable_text(error: BaseException) -> bool:
    """Text the database cannot store (PostgreSQL: NUL bytes, untranslatable characters)."""
    return _sqlstate(error) in ("22021", "22P05")
