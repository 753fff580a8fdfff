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


def is_transient_storage_error(error: BaseException) -> bool:
    if isinstance(error, (sa_exc.TimeoutError, ConnectionError, TimeoutError)):
        return True
    if isinstance(error, asyncpg.InterfaceError):  # e.g. the connection was closed under us
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
