"""The play session as a request dependency, for every product's play API and the pages'
session endpoints (bearer: the play-session token the product page received)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portero.http.deps import only_query_params
from portero.http.direct import Arguments, DirectRoute, served_by
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

_NO_QUERY_PARAMS = only_query_params(frozenset())


def session_then_query(*allowed: str) -> list[Any]:
    """Route dependencies: the session first (an ended session is what the answer is about,
    whatever else is wrong with the request), then the query parameters. FastAPI resolves
    `_context` once per request, so the handler's own `context` is the same value."""
    check = only_query_params(frozenset(allowed)) if allowed else _NO_QUERY_PARAMS
    return [Depends(_context), Depends(check)]


RoundEndpoint = Callable[[Request, opening.PlayContext], Awaitable[Response]]


class RoundRoute(DirectRoute):
    """A play API's round (a spin), the busiest request a game server answers, served as
    http/direct.py says: the bearer token, the session and the query check are asked for
    here, in `session_then_query`'s order. Only for
    `async def endpoint(request, context: PlayContextDep) -> Response` with
    `dependencies=session_then_query()`."""

    def arguments(self) -> Arguments:
        self.require(["request", "context"], [_context, _NO_QUERY_PARAMS])

        async def arguments(request: Request) -> dict[str, Any]:
            context = await _context(request, await _bearer(request))
            await _NO_QUERY_PARAMS(request)
            return {"request": request, "context": context}

        return arguments


def round_post(
    router: APIRouter, path: str, **options: Any
) -> Callable[[RoundEndpoint], RoundEndpoint]:
    """`@router.post(path, **options)` for a round endpoint, served through `RoundRoute`."""
    return served_by(
        RoundRoute, router, path, methods=["POST"], dependencies=session_then_query(), **options
    )
