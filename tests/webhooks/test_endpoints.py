"""Managing webhook endpoints through the native API; the URL guard against SSRF, at
creation and at delivery; an event lives and dies with the change it reports; two engines
never deliver one attempt twice."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.app import create_app
from portero.delivery.models import Delivery
from portero.http.runtime import Runtime
from portero.kit.db import session_scope
from portero.settings import Settings
from portero.webhooks import events, urls
from portero.webhooks.models import WebhookEvent
from tests.conftest import running
from tests.support.db import inspecting
from tests.support.factories import PartnerFixture, make_partner
from tests.support.webhook_receiver import Receiver
from tests.webhooks.conftest import add_endpoint, play_spins, run_engine

ENDPOINTS = "/v1/webhook-endpoints"


async def test_endpoints_are_listed_updated_disabled_and_deleted(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    made = await add_endpoint(client, partner, receiver.url, ["round.settled", "call.ended"])
    assert made["enabled_events"] == ["call.ended", "round.settled"]
    listed = (await client.get(ENDPOINTS, headers=partner.auth)).json()
    assert [e["id"] for e in listed["data"]] == [made["id"]]
    assert all(e["secret"] is None for e in listed["data"])
    path = f"{ENDPOINTS}/{made['id']}"
    changed = await client.patch(
        path, json={"enabled_events": ["*"], "status": "disabled"}, headers=partner.auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "disabled"
    assert changed.json()["disabled_reason"] == "disabled by the partner"
    again = await client.patch(path, json={"status": "enabled"}, headers=partner.auth)
    assert again.json()["disabled_reason"] is None
    other = await make_partner(sessions)
    assert (await client.get(path, headers=other.auth)).status_code == 404
    assert (await client.delete(path, headers=partner.auth)).status_code == 204
    assert (await client.get(path, headers=partner.auth)).status_code == 404
    assert (await client.delete(path, headers=partner.auth)).status_code == 404


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": "ftp://hooks.example", "enabled_events": ["*"]}, "url"),
        ({"url": "https://user:pw@93.184.216.34/", "enabled_events": ["*"]}, "url"),
        ({"url": "https://93.184.216.34/", "enabled_events": []}, "enabled_events"),
        ({"url": "https://93.184.216.34/", "enabled_events": ["round.won"]}, "enabled_events"),
        ({"url": "https://93.184.216.34/"}, "enabled_events"),
        ({"url": "https://93.184.216.34/", "enabled_events": ["*"], "x": 1}, "x"),
    ],
)
async def test_bad_endpoints_are_the_native_400(
    client: httpx.AsyncClient, partner: PartnerFixture, body: dict[str, object], param: str
) -> None:
    response = await client.post(ENDPOINTS, json=body, headers=partner.auth)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ],
)
async def test_private_addresses_are_refused_unless_allowed(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, url: str
) -> None:
    runtime.settings.allow_private_webhook_urls = False
    try:
        response = await client.post(
            ENDPOINTS, json={"url": url, "enabled_events": ["*"]}, headers=partner.auth
        )
    finally:
        runtime.settings.allow_private_webhook_urls = True
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "url"


def test_only_global_addresses_are_public() -> None:
    assert urls.is_public(ipaddress.ip_address("93.184.216.34"))
    assert urls.is_public(ipaddress.ip_address("2606:4700::1111"))
    for private in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "169.254.169.254", "fd00::1",
                    "fe80::1", "::ffff:10.0.0.1", "224.0.0.1", "255.255.255.255"):  # fmt: skip
        assert not urls.is_public(ipaddress.ip_address(private)), private


async def test_the_address_is_checked_again_at_delivery(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    made = await add_endpoint(client, partner, receiver.url)  # allowed when it was made
    runtime.settings.allow_private_webhook_urls = False  # as if its DNS now said loopback
    try:
        await play_spins(client, partner)
        await run_engine(runtime)
    finally:
        runtime.settings.allow_private_webhook_urls = True
    assert receiver.received == []
    log = await client.get(f"{ENDPOINTS}/{made['id']}/deliveries", headers=partner.auth)
    [delivery] = log.json()["data"]
    assert delivery["tries"][0]["outcome"] == "unsafe_address"
    assert delivery["status"] == "pending"  # DNS may change back: tried again on schedule


async def test_an_event_is_kept_only_with_its_change(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sessions: async_sessionmaker[AsyncSession],
    receiver: Receiver,
) -> None:
    await add_endpoint(client, partner, receiver.url)

    async def data() -> dict[str, str]:
        return {"id": "rnd_x"}

    async def change_that_fails() -> None:
        async with session_scope(sessions) as session:
            await events.record(
                session, partner_id=partner.id, event_type="round.settled", data=data
            )
            raise RuntimeError("the change fails after its event was recorded")

    with pytest.raises(RuntimeError):
        await change_that_fails()
    async with inspecting(sessions) as session:
        kept = await session.scalar(
            select(func.count()).where(WebhookEvent.partner_id == partner.id)
        )
        owed = await session.scalar(select(func.count()).where(Delivery.partner_id == partner.id))
    assert (kept, owed) == (0, 0)
    await play_spins(client, partner, 2)  # and a round that commits has its event
    async with inspecting(sessions) as session:
        kept = await session.scalar(
            select(func.count()).where(WebhookEvent.partner_id == partner.id)
        )
    assert kept == 2


async def test_two_processes_never_deliver_one_attempt_twice(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    settings: Settings,
    receiver: Receiver,
) -> None:
    await add_endpoint(client, partner, receiver.url)
    await play_spins(client, partner, 12)
    second = create_app(settings)
    async with running(second) as other:
        await asyncio.gather(*(run_engine(r) for r in (runtime, other) * 3))
    assert len(receiver.ids()) == 12
    assert len(set(receiver.ids())) == 12
