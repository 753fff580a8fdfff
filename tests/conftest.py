"""Test fixtures: every storage test runs on SQLite and on the real PostgreSQL.

PostgreSQL: `PORTERO_TEST_POSTGRES_URL` names a database the tests may own (CI creates a fresh
one). Without it, a throw-away database is created on 127.0.0.1:5432 and dropped afterwards.
If PostgreSQL cannot be reached, its tests are skipped locally and fail under CI
(`CI=true` or `PORTERO_TEST_REQUIRE_POSTGRES=1`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.app import create_app
from portero.http.runtime import Runtime
from portero.kit import tenancy
from portero.migrate import upgrade
from portero.settings import Settings

TEST_SECRET = "test-secret-key-" + "0" * 32
PUBLIC_URL = "http://portero.test"
REQUIRE_POSTGRES = os.environ.get("CI") == "true" or bool(
    os.environ.get("PORTERO_TEST_REQUIRE_POSTGRES")
)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _create_scratch_database() -> tuple[str, str]:
    name = "portero_test_" + secrets.token_hex(4)
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    connection = await asyncpg.connect(admin, timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def _drop_database(name: str) -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on PostgreSQL, so that `-m "not postgres"` (the fast tier)
    runs the SQLite half and never needs a PostgreSQL server."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgres"
        if on_postgres or "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    given = os.environ.get("PORTERO_TEST_POSTGRES_URL")
    scratch: str | None = None
    try:
        if given:
            url = Settings(database_url=given).database_url
            asyncio.run(_ping(url))
        else:
            url, scratch = asyncio.run(_create_scratch_database())
    except (OSError, asyncpg.PostgresError) as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    upgrade(url)
    yield url
    if scratch:
        asyncio.run(_drop_database(scratch))


async def _ping(url: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    await connection.close()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "portero.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="module")
def fresh_database_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of `database_url`'s kind that only the requesting test module uses:
    for tests of what a process does when the database holds nothing of anyone else's."""
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fresh') / 'portero.db'}"
        upgrade(url)
        yield url
        return
    url, name = asyncio.run(_create_scratch_database())
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_drop_database(name))


TEST_FILES = Path(tempfile.mkdtemp(prefix="portero-test-files-"))


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "public_url": PUBLIC_URL,
        "expiry_sweep_seconds": 0,
        "call_tick_seconds": 0,  # tests move the call clock by hand
        "delivery_poll_seconds": 0,  # and run the delivery engine by hand
        "auth_cache_seconds": 0,
        "db_pool_size": 5,
        "files_directory": TEST_FILES,  # a call's chat files: never the checkout's ./var
    } | overrides
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[Runtime]:
    """The application started; every read it makes of a partner's rows must say whose rows
    it reads (kit/tenancy.py), or the test that made it fails."""
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        tenancy.guard(runtime.engine.sync_engine)
        yield runtime


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with running(application):
        yield application


@pytest.fixture
def runtime(app: FastAPI) -> Runtime:
    result: Runtime = app.state.runtime
    return result


@pytest.fixture
def sessions(runtime: Runtime) -> async_sessionmaker[AsyncSession]:
    return runtime.sessions


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        yield http
