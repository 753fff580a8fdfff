"""Dependencies shared by the APIs: one database transaction per request, the runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from portero.http.runtime import Runtime, runtime_of
from portero.kit.db import session_scope
from portero.kit.errors import InvalidField
from portero.launches.store import LaunchStore
from portero.launches.unit_of_work import launch_store_scope
from portero.settings import Settings


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with session_scope(runtime_of(request).sessions) as session:
        yield session


async def _launch_store(request: Request) -> AsyncIterator[LaunchStore]:
    """One transaction for the hot paths: on asyncpg directly where PostgreSQL is used."""
    runtime = runtime_of(request)
    async with launch_store_scope(
        runtime.sessions, runtime.pg_pool, wait_seconds=runtime.settings.db_pool_timeout_seconds
    ) as store:
        yield store


# Dependencies are `async def` even when they do not await: FastAPI runs plain `def`
# dependencies in a thread pool, which costs more than the rest of a fast request.
async def _runtime(request: Request) -> Runtime:
    return runtime_of(request)


async def _settings(request: Request) -> Settings:
    return runtime_of(request).settings


# scope="function": commit (or roll back) before the response is sent, so that a client never
# sees success for work that did not commit.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
LaunchStoreDep = Annotated[LaunchStore, Depends(_launch_store, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(_runtime)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def only_query_params(allowed: frozenset[str]) -> Callable[[Request], Awaitable[None]]:
    """Refuse query parameters an endpoint does not know (a typo must not pass unnoticed)."""

    async def check(request: Request) -> None:
        for name in request.query_params:
            if name not in allowed:
                raise InvalidField(name, "unknown", f"{name}: unknown query parameter")

    return check


def client_ip(request: Request) -> str | None:
    """The caller's address (after trusted-proxy rewriting, see app.py)."""
    return request.client.host if request.client else None
