"""Dependencies shared by the APIs: one database transaction per request, the runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from portero.http.runtime import Runtime, runtime_of
from portero.kit.db import session_scope
from portero.kit.errors import InvalidField


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with session_scope(runtime_of(request).sessions) as session:
        yield session


# Dependencies are `async def` even when they do not await: FastAPI runs plain `def`
# dependencies in a thread pool, which costs more than the rest of a fast request.
async def _runtime(request: Request) -> Runtime:
    return runtime_of(request)


# scope="function": commit (or roll back) before the response is sent, so that a client never
# sees success for work that did not commit.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(_runtime)]
# How many items a list endpoint answers at once (default 20 at each endpoint).
PageLimit = Annotated[int, Query(ge=1, le=100)]


def only_query_params(allowed: frozenset[str]) -> Callable[[Request], Awaitable[None]]:
    """Refuse query parameters an endpoint does not know (a typo must not pass unnoticed)."""

    async def check(request: Request) -> None:
        if not request.scope["query_string"]:  # the usual case, without parsing anything
            return
        for name in request.query_params:
            if name not in allowed:
                raise InvalidField(name, "unknown", f"{name}: unknown query parameter")

    return check


def client_ip(request: Request) -> str | None:
    """The caller's address (after trusted-proxy rewriting, see app.py)."""
    return request.client.host if request.client else None


def is_mobile(request: Request) -> bool:
    """Whether the browser says it is a phone or tablet (`Mobi` in its User-Agent, the
    browsers' own convention): One Wallet's channel `M` rather than `P`."""
    return "Mobi" in request.headers.get("user-agent", "")
