"""The call product's fixtures: a desk on the parametrised database, and one on PostgreSQL only
for the races between processes (see tests/support/call_desk.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.app import create_app
from tests.conftest import PUBLIC_URL, REQUIRE_POSTGRES, make_settings, running
from tests.support.call_desk import CallDesk
from tests.support.call_sockets import REDIS_URL
from tests.support.factories import make_partner


@pytest.fixture
async def desk(sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient) -> CallDesk:
    partner = await make_partner(sessions, products=["call"])
    return CallDesk(sessions=sessions, client=client, partner=partner)


@pytest.fixture
async def postgres_desk(postgres_url: str) -> AsyncIterator[CallDesk]:
    """A desk on PostgreSQL only (the races between processes)."""
    application = create_app(make_settings(postgres_url))
    async with running(application) as runtime:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            partner = await make_partner(runtime.sessions, products=["call"])
            yield CallDesk(
                sessions=runtime.sessions,
                client=client,
                partner=partner,
                database_url=postgres_url,
            )


@pytest.fixture(scope="session")
async def redis_reachable() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (redis.ConnectionError, OSError) as error:
        if REQUIRE_POSTGRES:  # CI: the services are part of the machine
            pytest.fail(f"Redis is required here but unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    finally:
        await client.aclose()
    return REDIS_URL
