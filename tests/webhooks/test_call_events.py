"""A call's events, with the clock moved by hand: requested, answered, ended, missed, each with
the call as the native API shows it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from portero.calls import queue, routing
from portero.calls.dispatcher import tick
from portero.http.runtime import Runtime
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.factories import PartnerFixture
from tests.support.webhook_receiver import Receiver
from tests.webhooks.conftest import add_endpoint, run_engine

CALL_EVENTS = ["call.requested", "call.answered", "call.ended", "call.missed"]


async def events_of(runtime: Runtime, receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    await run_engine(runtime)
    found = [Webhook(secret).verify(got.body, got.headers) for got in receiver.received]
    receiver.received.clear()
    return found


async def test_a_call_reports_each_step(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    runtime: Runtime,
    receiver: Receiver,
    call_partner: PartnerFixture,
) -> None:
    desk = CallDesk(sessions=sessions, client=client, partner=call_partner)
    endpoint = await add_endpoint(client, desk.partner, receiver.url, CALL_EVENTS)
    secret = endpoint["secret"]
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await desk.customer(category_code=sales)
    [requested] = await events_of(runtime, receiver, secret)
    assert (requested["type"], requested["data"]["id"]) == ("call.requested", call_id)
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=ana.id, call_id=call_id, now=desk.now)
    )
    [answered] = await events_of(runtime, receiver, secret)
    assert answered["type"] == "call.answered"
    assert answered["data"]["status"] == "connected"
    desk.later(30)
    await desk.run(lambda s, o: queue.leave(s, o, call_id=call_id, now=desk.now))
    [ended] = await events_of(runtime, receiver, secret)
    shown = await client.get(f"/v1/calls/{call_id}", headers=desk.partner.auth)
    assert ended["type"] == "call.ended"
    assert ended["data"] == shown.json()
    assert ended["data"]["duration_seconds"] == 30


async def test_an_unanswered_call_is_missed(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    runtime: Runtime,
    receiver: Receiver,
    call_partner: PartnerFixture,
) -> None:
    desk = CallDesk(sessions=sessions, client=client, partner=call_partner)
    endpoint = await add_endpoint(client, desk.partner, receiver.url, ["call.missed"])
    call_id = await desk.customer()
    desk.later(TIMINGS.wait.total_seconds() + 1)
    await desk.run(lambda s, o: tick(s, o, now=desk.now, timings=TIMINGS))
    [missed] = await events_of(runtime, receiver, endpoint["secret"])
    assert (missed["type"], missed["data"]["id"], missed["data"]["status"]) == (
        "call.missed",
        call_id,
        "missed",
    )
