"""A launch's events: opened (its first opening only, in the opening's transaction on both
stores), revoked, expired (by the sweep); each with the launch as the native API shows it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches.models import Launch
from portero.launches.sweeper import sweep_once
from tests.support.factories import PartnerFixture, create_launch, launch_body, open_link
from tests.support.webhook_receiver import Receiver
from tests.webhooks.conftest import add_endpoint, run_engine

LAUNCH_EVENTS = ["launch.opened", "launch.revoked", "launch.expired"]


def delivered(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    return [Webhook(secret).verify(got.body, got.headers) for got in receiver.received]


async def test_the_first_opening_is_reported_once(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url, LAUNCH_EVENTS)
    launch = await create_launch(client, partner, launch_body("slot"))
    await open_link(client, launch)
    call = await create_launch(client, partner, launch_body("call"))
    await open_link(client, call)
    await open_link(client, call)  # a call's link opens again: not a new opening
    await run_engine(runtime)
    events = delivered(receiver, endpoint["secret"])
    assert sorted((e["type"], e["data"]["id"]) for e in events) == sorted(
        [("launch.opened", launch["id"]), ("launch.opened", call["id"])]
    )
    shown = await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)
    [slot_event] = [e for e in events if e["data"]["id"] == launch["id"]]
    assert slot_event["data"] == shown.json()
    assert slot_event["data"]["status"] == "opened"


async def test_revoked_and_expired_launches_are_reported(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url, LAUNCH_EVENTS)
    revoked = await create_launch(client, partner)
    answer = await client.post(f"/v1/launches/{revoked['id']}/revoke", headers=partner.auth)
    assert answer.status_code == 200
    again = await client.post(f"/v1/launches/{revoked['id']}/revoke", headers=partner.auth)
    assert again.status_code == 200  # revoking twice is harmless, and reported once
    expiring = await create_launch(client, partner)
    async with session_scope(sessions) as session:
        await session.execute(
            update(Launch)
            .where(Launch.id == expiring["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    async with session_scope(sessions) as session:
        await sweep_once(session)
    await run_engine(runtime)
    events = {(e["type"], e["data"]["id"]): e for e in delivered(receiver, endpoint["secret"])}
    assert set(events) == {("launch.revoked", revoked["id"]), ("launch.expired", expiring["id"])}
    assert events[("launch.revoked", revoked["id"])]["data"]["status"] == "revoked"
    assert events[("launch.expired", expiring["id"])]["data"]["status"] == "expired"
    assert json.loads(receiver.received[0].body)["created_at"].endswith("Z")


async def test_a_partner_without_webhooks_opens_as_before(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    launch = await create_launch(client, partner, launch_body("slot"))
    auth = await open_link(client, launch)
    assert (await client.get("/play/api/slots/game", headers=auth)).status_code == 200
    assert (await client.get(launch["url"])).status_code == 409  # used once
    await run_engine(runtime)
    assert receiver.received == []


async def test_terminating_a_player_reports_each_revoked_link(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(client, partner, receiver.url, ["launch.revoked"])
    body = launch_body("slot")
    unopened = await create_launch(client, partner, body)
    await open_link(client, await create_launch(client, partner, body))  # opened: ends, no event
    player = body["player"]["id"]
    ended = await client.post(f"/v1/players/{player}/terminate", headers=partner.auth)
    assert ended.status_code == 200, ended.text
    assert ended.json()["launches_revoked"] == 1
    await run_engine(runtime)
    [event] = delivered(receiver, endpoint["secret"])
    assert (event["type"], event["data"]["id"]) == ("launch.revoked", unopened["id"])
    assert event["data"]["status"] == "revoked"
