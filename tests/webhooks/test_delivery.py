"""Events delivered in the Standard Webhooks format to a real receiver, verified with the
`standardwebhooks` package independently of Portero's signing; retries, 410, Retry-After,
rotation, redelivery, the delivery log, and a process that dies mid-delivery."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from portero.delivery import repository as deliveries
from portero.delivery.models import Delivery
from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.webhooks.models import WebhookEndpoint
from tests.support.db import inspecting
from tests.support.factories import PartnerFixture
from tests.support.webhook_receiver import Receiver, Reply
from tests.webhooks.conftest import TIMEOUT, add_endpoint, play_spins, run_engine


async def test_a_settled_round_reaches_the_endpoint_signed(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url, ["round.settled"])
    assert endpoint["secret"].startswith("whsec_")
    shown = await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=partner.auth)
    assert shown.json()["secret"] is None  # never shown again
    [spin] = await play_spins(client, partner)
    await run_engine(runtime)
    [got] = receiver.received
    event = Webhook(endpoint["secret"]).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == event["id"]
    assert abs(int(got.headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
    assert event["type"] == "round.settled"
    same = await client.get(f"/v1/rounds/{spin['id']}", headers=partner.auth)
    assert event["data"] == same.json()  # the object the native API returns, replay link too
    try:
        Webhook("whsec_" + "A" * 44).verify(got.body, got.headers)
        raise AssertionError("another secret verified the signature")
    except WebhookVerificationError:
        pass


async def test_only_the_events_an_endpoint_takes_are_recorded(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    await add_endpoint(client, partner, receiver.url, ["launch.revoked"])
    await play_spins(client, partner)
    await run_engine(runtime)
    assert receiver.received == []


async def test_failures_are_retried_with_the_same_id_then_logged(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url)
    receiver.answer(Reply(500, body="boom"), Reply(200, delay_seconds=TIMEOUT + 1))
    await play_spins(client, partner)
    await run_engine(runtime)  # 500
    await run_engine(runtime)  # not due yet
    assert len(receiver.ids()) == 1
    await run_engine(runtime, after_seconds=61)  # no answer in time
    await run_engine(runtime, after_seconds=130)  # 200
    assert len(set(receiver.ids())) == 1
    assert len(receiver.ids()) == 3
    log = await client.get(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=partner.auth
    )
    [delivery] = log.json()["data"]
    assert (delivery["status"], delivery["attempts"]) == ("done", 3)
    tries = delivery["tries"]
    assert [t["outcome"] for t in tries] == ["http 500", "timeout", "http 200"]
    assert tries[0]["reply"] == "boom"
    assert tries[0]["http_status"] == 500
    assert tries[1]["latency_ms"] >= TIMEOUT * 1000 * 0.9


async def test_410_disables_the_endpoint(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url)
    receiver.answer(Reply(410))
    await play_spins(client, partner)
    await run_engine(runtime)
    shown = (
        await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=partner.auth)
    ).json()
    assert shown["status"] == "disabled"
    assert "410" in shown["disabled_reason"]
    await play_spins(client, partner)  # a disabled endpoint gets no new events
    await run_engine(runtime, after_seconds=3600)
    assert len(receiver.received) == 1


async def test_retry_after_is_honoured(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_endpoint(client, partner, receiver.url)
    receiver.answer(Reply(503, headers={"Retry-After": "7200"}))
    await play_spins(client, partner)
    await run_engine(runtime)
    await run_engine(runtime, after_seconds=61)  # the schedule says 60 s: too soon
    assert len(receiver.received) == 1
    await run_engine(runtime, after_seconds=7201)
    assert len(receiver.received) == 2


async def test_an_endpoint_failing_for_three_days_is_disabled(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url)
    async with session_scope(sessions) as session:
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint["id"])
            .values(failing_since=utcnow() - timedelta(hours=72, minutes=1))
        )
    receiver.answer(Reply(500))
    await play_spins(client, partner)
    await run_engine(runtime)
    shown = (
        await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=partner.auth)
    ).json()
    assert shown["status"] == "disabled"
    assert "72 hours" in shown["disabled_reason"]


async def test_a_rotated_secret_signs_beside_the_old_one(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url)
    rotated = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=partner.auth
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    await play_spins(client, partner)
    await run_engine(runtime)
    [got] = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (endpoint["secret"], new_secret):
        Webhook(secret).verify(got.body, got.headers)


async def test_an_event_is_sent_again_by_hand(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url)
    await play_spins(client, partner)
    await run_engine(runtime)
    event_id = receiver.ids()[0]
    path = f"/v1/webhook-endpoints/{endpoint['id']}/events/{event_id}/redeliver"
    again = await client.post(path, headers=partner.auth)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "pending"
    await run_engine(runtime)
    assert receiver.ids() == [event_id, event_id]
    missing = path.replace(event_id, "evt_" + "0" * 26)
    assert (await client.post(missing, headers=partner.auth)).status_code == 404


async def test_a_process_that_dies_mid_delivery_loses_nothing(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_endpoint(client, partner, receiver.url)
    await play_spins(client, partner)
    now = utcnow()
    async with session_scope(sessions) as session:  # claimed, then the claimant dies
        found = await deliveries.claim_due(
            session, now=now, lease_until=now + timedelta(seconds=2), limit=50, kinds=["webhook"]
        )
    [claimed] = [c for c in found if c.partner_id == partner.id]
    await run_engine(runtime)  # its lease holds others off
    assert receiver.received == []
    await run_engine(runtime, after_seconds=3)
    assert len(receiver.received) == 1
    body = json.loads(receiver.received[0].body)
    assert body["id"] == claimed.payload["event_id"]
    async with inspecting(sessions) as session:
        status = await session.scalar(select(Delivery.status).where(Delivery.id == claimed.id))
    assert status == "done"
