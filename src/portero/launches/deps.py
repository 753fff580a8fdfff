"""The play session as a request dependency, for every product's play API and the pages'
session endpoints (bearer: the play-session token the product page received)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portero.http.deps import only_query_params
from portero.http.runtime import runtime_of
from portero.kit.db import session_scope
from portero.launches import opening, pg_sessions

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PlaySessionToken",
    description="The play-session token (`pss_…`) the product page received.",
)
SessionToken = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _context(request: Request, credentials: SessionToken) -> opening.PlayContext:
    """The session, resumed in a unit of work of its own (its touch commits even when the
    request then fails: the player was there)."""
    token = credentials.credentials if credentials else None
    runtime = runtime_of(request)
    if runtime.pg_pool is not None:  # the hot path: one statement on a connection of its own
        wait_seconds = runtime.settings.db_pool_timeout_seconds
        return await pg_sessions.resume(runtime.pg_pool, token=token, wait_seconds=wait_seconds)
    async with session_scope(runtime.sessions) as session:
        return await opening.resume(session, token=token)


# For the products' own play APIs (/play/api/<product>/…).
PlayContextDep = Annotated[opening.PlayContext, Depends(_context)]


def session_then_query(*allowed: str) -> list[Any]:
    """Route dependencies: the session first (an ended session is what the answer is about,
    whatever else is wrong with the request), then the query parameters. FastAPI resolves
    `_context` once per request, so the handler's own `context` is the same value."""
    return [Depends(_context), Depends(only_query_params(frozenset(allowed)))]
