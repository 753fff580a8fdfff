"""The play session as a request dependency, for every product's play API and the pages'
session endpoints (bearer: the play-session token the product page received)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
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

_NO_QUERY_PARAMS = only_query_params(frozenset())


def session_then_query(*allowed: str) -> list[Any]:
    """Route dependencies: the session first (an ended session is what the answer is about,
    whatever else is wrong with the request), then the query parameters. FastAPI resolves
    `_context` once per request, so the handler's own `context` is the same value."""
    check = only_query_params(frozenset(allowed)) if allowed else _NO_QUERY_PARAMS
    return [Depends(_context), Depends(check)]


RoundEndpoint = Callable[[Request, opening.PlayContext], Awaitable[Response]]


class RoundRoute(APIRoute):
    """A play API's round (a spin): the busiest request a game server answers. FastAPI builds
    and documents it as any other route, from the same declaration; but a request skips
    FastAPI's dependency solver (with the routers' walk, app.py, a fifth of a spin's CPU:
    bench/README.md): the handler asks for the bearer token, the session and the query check
    itself, in `session_then_query`'s order. Only for
    `async def endpoint(request, context: PlayContextDep) -> Response` with
    `dependencies=session_then_query()`; any other shape is refused as the route is built."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = _round_endpoint(self)

        async def handle(request: Request) -> Response:
            context = await _context(request, await _bearer(request))
            await _NO_QUERY_PARAMS(request)
            return await endpoint(request, context)

        return handle


def _round_endpoint(route: APIRoute) -> RoundEndpoint:
    parameters = list(inspect.signature(route.endpoint).parameters)
    dependencies = [depends.dependency for depends in route.dependencies]
    if parameters != ["request", "context"] or dependencies != [_context, _NO_QUERY_PARAMS]:
        raise TypeError(
            f"{route.path}: a RoundRoute takes (request, context) and "
            "dependencies=session_then_query(), nothing else"
        )
    endpoint: RoundEndpoint = route.endpoint
    return endpoint


def round_post(
    router: APIRouter, path: str, **options: Any
) -> Callable[[RoundEndpoint], RoundEndpoint]:
    """`@router.post(path, **options)` for a round endpoint, served through `RoundRoute`."""

    def register(endpoint: RoundEndpoint) -> RoundEndpoint:
        router.add_api_route(
            path,
            endpoint,
            methods=["POST"],
            dependencies=session_then_query(),
            route_class_override=RoundRoute,
            **options,
        )
        return endpoint

    return register
