"""The play session as a request dependency, for every product's play API and the pages'
session endpoints (bearer: the play-session token the product page received)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portero.http.deps import SessionDep, only_query_params
from portero.launches import opening

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PlaySessionToken",
    description="The play-session token (`pss_…`) the product page received.",
)
SessionToken = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _context(credentials: SessionToken, session: SessionDep) -> opening.PlayContext:
    return await opening.resume(session, token=credentials.credentials if credentials else None)


# For the products' own play APIs (/play/api/<product>/…).
PlayContextDep = Annotated[opening.PlayContext, Depends(_context)]


def session_then_query(*allowed: str) -> list[Any]:
    """Route dependencies: the session first (an ended session is what the answer is about,
    whatever else is wrong with the request), then the query parameters. FastAPI resolves
    `_context` once per request, so the handler's own `context` is the same value."""
    return [Depends(_context), Depends(only_query_params(frozenset(allowed)))]
