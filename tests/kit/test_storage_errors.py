"""Which database faults are passing (503, retry) and which are bugs (500)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from portero.kit.storage_errors import is_transient_storage_error
from tests.support.faults import wrapped_by_sqlalchemy

CLIENT_FAULTS = [
    asyncpg.InternalClientError("got result for unknown protocol state 3"),
    asyncpg.ProtocolError("unexpected message"),
    asyncpg.OutdatedSchemaCacheError("cached statement plan is invalid"),
]


@pytest.mark.parametrize("error", CLIENT_FAULTS, ids=lambda e: type(e).__name__)
def test_asyncpg_losing_its_connection_is_passing(error: Exception) -> None:
    """A PostgreSQL restart under a busy connection: asyncpg's protocol errors are retryable."""
    assert is_transient_storage_error(error)
    assert is_transient_storage_error(wrapped_by_sqlalchemy(error))


def test_a_bug_stays_a_bug() -> None:
    assert not is_transient_storage_error(ValueError("a bug"))
    assert not is_transient_storage_error(asyncpg.UniqueViolationError("duplicate key"))
    unique = sa_exc.IntegrityError("INSERT", None, Exception("duplicate key"))
    assert not is_transient_storage_error(unique)
