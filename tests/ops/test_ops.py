"""Liveness, readiness, metrics, logs and proxies."""

from __future__ import annotations

import logging

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.app import create_app
from portero.kit.logging import JsonFormatter
from tests.conftest import PUBLIC_URL, make_settings, running
from tests.support.factories import create_launch, launch_body, make_partner, token_of


class TestProbes:
    async def test_healthz_and_readyz(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).json() == {"status": "ready"}

    async def test_readyz_and_api_answer_a_retryable_503_without_a_database(self) -> None:
        app = create_app(
            make_settings(
                "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere", db_pool_timeout_seconds=1
            )
        )
        async with running(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
                ready = await client.get("/readyz")
                created = await client.post(
                    "/v1/launches", json={}, headers={"Authorization": "Bearer prt_x"}
                )
                opened = await client.get("/launch/abc", headers={"Accept": "application/json"})
        for response in (ready, created, opened):
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "storage_unavailable"
            assert response.json()["error"]["type"] == "api_error"
        assert created.headers["retry-after"] == "1"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestMetrics:
    async def test_request_and_launch_counters(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        labels = {"partner": str(partner.id), "product": "roulette"}
        created_before = sample("portero_launches_created_total", **labels)
        opened_before = sample("portero_launches_opened_total", **labels)
        launch = await create_launch(client, partner)
        await client.get(launch["url"])
        await client.get(launch["url"])  # already used: not opened twice
        assert sample("portero_launches_created_total", **labels) == created_before + 1
        assert sample("portero_launches_opened_total", **labels) == opened_before + 1
        text = (await client.get("/metrics")).text
        assert "portero_launches_created_total{" in text
        assert 'route="/v1/launches"' in text
        latency = {"method": "GET", "route": "/healthz"}
        total_before = sample("portero_http_request_duration_seconds_sum", **latency)
        count_before = sample("portero_http_request_duration_seconds_count", **latency)
        await client.get("/healthz")
        assert sample("portero_http_request_duration_seconds_count", **latency) == count_before + 1
        spent = sample("portero_http_request_duration_seconds_sum", **latency) - total_before
        assert 0 < spent < 5
        assert 'route="/launch/{token}"' in text
        assert token_of(launch["url"]) not in text

    async def test_rejected_requests_do_not_count_as_created(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions, products=["slot"])
        labels = {"partner": str(partner.id), "product": "roulette"}
        before = sample("portero_launches_created_total", **labels)
        body = launch_body()
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert response.status_code == 403
        assert sample("portero_launches_created_total", **labels) == before


class TestLogs:
    async def test_logs_never_contain_a_token(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        partner = await make_partner(sessions)
        with caplog.at_level(logging.DEBUG):
            launch = await create_launch(client, partner)
            opened = await client.get(launch["url"])
            await client.get(launch["url"])
            await client.get("/launch/" + token_of(launch["url"]) + "x")
        session_token = opened.headers["location"].split("#session=")[1]
        formatter = JsonFormatter()
        server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
        lines = "\n".join(formatter.format(record) for record in server_side)
        assert '"route": "/launch/{token}"' in lines
        assert '"request_id": "req_' in lines
        for secret in (partner.token, token_of(launch["url"]), session_token):
            assert secret not in lines


class TestTrustedProxies:
    async def _client_ip(self, trusted: str, forwarded: str, database_url: str) -> str:
        app = create_app(make_settings(database_url, trusted_proxies=trusted))
        seen: list[str] = []

        @app.get("/_ip")
        async def ip(request: __import__("fastapi").Request) -> dict[str, str]:  # type: ignore[name-defined]
            seen.append(request.client.host if request.client else "")
            return {}

        async with running(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
                await client.get("/_ip", headers={"X-Forwarded-For": forwarded})
        return seen[0]

    async def test_forwarded_for_is_believed_only_from_trusted_proxies(
        self, database_url: str
    ) -> None:
        assert await self._client_ip("127.0.0.1", "203.0.113.9", database_url) == "203.0.113.9"
        assert await self._client_ip("10.0.0.0/8", "203.0.113.9", database_url) == "127.0.0.1"
        assert await self._client_ip("", "203.0.113.9", database_url) == "127.0.0.1"
