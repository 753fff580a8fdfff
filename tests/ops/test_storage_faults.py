"""A database that goes away: retryable errors while it is gone, recovery without a restart."""

from __future__ import annotations

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from portero.app import create_app
from tests.conftest import PUBLIC_URL, make_settings, running
from tests.support.factories import launch_body, make_partner


async def terminate_server_connections(database_url: str) -> int:
    url = make_url(database_url)
    admin = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    try:
        killed: int = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return killed


async def test_terminated_connections_give_503_then_recover(postgres_url: str) -> None:
    app = create_app(make_settings(postgres_url, db_pool_size=3))
    async with running(app) as runtime:
        partner = await make_partner(runtime.sessions)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:

            async def create() -> httpx.Response:
                return await client.post("/v1/launches", json=launch_body(), headers=partner.auth)

            warm = [await create() for _ in range(3)]
            assert [r.status_code for r in warm] == [201, 201, 201]
            assert await terminate_server_connections(postgres_url) >= 1

            statuses: list[int] = []
            for _ in range(20):  # bounded: the pool holds at most 3 dead connections
                response = await create()
                statuses.append(response.status_code)
                if response.status_code == 503:
                    body = response.json()["error"]
                    assert body["code"] == "storage_unavailable"
                    assert response.headers["retry-after"] == "1"
                if response.status_code == 201:
                    break
            assert 503 in statuses, statuses
            assert statuses[-1] == 201, statuses
            assert set(statuses) <= {201, 503}, statuses
            after = [(await create()).status_code for _ in range(5)]
            assert after == [201] * 5
            assert (await client.get("/readyz")).status_code == 200
