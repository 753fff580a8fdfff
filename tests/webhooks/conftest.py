"""Webhooks delivered to a real receiver on loopback, the delivery engine driven by hand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.settings import Settings
from portero.webhooks import endpoints
from tests.conftest import make_settings
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
)
from tests.support.webhook_receiver import Receiver, webhook_receiver

TIMEOUT = 1.0  # a receiver's answer is awaited 1 s
SCHEDULE = "2x60,1x600"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        allow_private_webhook_urls=True,  # the receiver is on loopback
        webhook_timeout_seconds=TIMEOUT,
        webhook_retry_schedule=SCHEDULE,
        wallet_retry_jitter=0,
        delivery_lease_margin_seconds=0.5,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[PartnerFixture]:
    made = await make_partner(sessions)
    yield made
    await remove_endpoints(sessions, made.id)


@pytest.fixture
async def call_partner(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[PartnerFixture]:
    made = await make_partner(sessions, products=["call"])
    yield made
    await remove_endpoints(sessions, made.id)


async def remove_endpoints(sessions: async_sessionmaker[AsyncSession], partner_id: int) -> None:
    """The test's endpoints and their deliveries go with it: the database is shared by the
    whole run, and another test's engine must not find them due (their receiver is gone)."""
    async with session_scope(sessions) as session:
        found = await endpoints.listed(session, partner_id, limit=100, after=None)
        for endpoint in found.items:
            await endpoints.remove(session, partner_id=partner_id, endpoint_id=endpoint.id)


async def add_endpoint(
    client: httpx.AsyncClient, partner: PartnerFixture, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/v1/webhook-endpoints",
        json={"url": url, "enabled_events": events or ["round.settled"]},
        headers=partner.auth,
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def play_spins(
    client: httpx.AsyncClient, partner: PartnerFixture, count: int = 1
) -> list[dict[str, Any]]:
    auth = await open_link(client, await create_launch(client, partner, launch_body("slot")))
    played = []
    for _ in range(count):
        response = await client.post(
            "/play/api/slots/spins", json={"spin_id": uuid.uuid4().hex, "bet": 100}, headers=auth
        )
        assert response.status_code == 200, response.text
        played.append(response.json()["spin"])
    return played


async def run_engine(runtime: Runtime, *, after_seconds: float = 0) -> int:
    return await runtime.deliveries.run_once(now=utcnow() + timedelta(seconds=after_seconds))
