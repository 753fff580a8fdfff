"""The pages' `media` messages (microphone and camera on, off or missing): the customer's reach
the agent its call rings on, before it is answered, and both sides' reach the other during the
call; nobody else hears them, and only the documented values pass."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.call_sockets import Desk, connect_call, console_token, customer_link, make_desk
from tests.support.live import WAIT_SECONDS, Peer, live_server, open_session

NO_CAMERA = {"type": "media", "audio": "on", "video": "none"}


async def next_relayed(peer: Peer) -> dict[str, Any]:
    """The next message other than the states the page is pushed (whatever its type)."""

    async def wait() -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await peer.connection.recv())
            if message.get("type") != "state":
                return message

    return await asyncio.wait_for(wait(), WAIT_SECONDS)


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


async def test_the_customers_media_reach_the_agent_it_rings_on(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, _ = await Peer.join(
            server, "/play/api/console/ws", await console_token(desk, server)
        )
        await agent.expect("state", agent=lambda a: a["presence"] == "offline")
        link = await customer_link(desk, server)
        customer, welcome = await Peer.join(
            server, "/play/api/call/ws", await open_session(server, link)
        )
        call_id = welcome["call_id"]
        await customer.expect("state", status="waiting")
        # Said while nobody could hear it: kept, not refused.
        await customer.send({**NO_CAMERA, "call_id": "call_forged", "extra": "dropped"})
        await customer.send({"type": "ping"})
        assert (await next_relayed(customer))["type"] == "pong"  # no error came before it

        await agent.send({"type": "presence", "presence": "available"})
        await agent.expect("state", offer=lambda o: o is not None and o["call_id"] == call_id)
        told = await agent.expect("media")
        assert told == {
            "type": "media",
            "call_id": call_id,
            "from": "customer",
            "audio": "on",
            "video": "none",
            "screen": "off",  # a page that says nothing of its screen shares none
        }
        await agent.send({"type": "accept", "call_id": call_id})
        await customer.expect("state", status="connected")
        await customer.send({"type": "media", "audio": "off", "video": "none"})
        assert (await agent.expect("media"))["audio"] == "off"
        for peer in (agent, customer):
            await peer.close()


async def test_media_cross_during_the_call_and_reach_nobody_else(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        await agent.send({"type": "media", "call_id": call_id, "audio": "off", "video": "on"})
        got = await customer.expect("media")
        assert (got["from"], got["audio"], got["video"]) == ("agent", "off", "on")
        await customer.send({"type": "media", "audio": "on", "video": "off"})
        got = await agent.expect("media")
        assert (got["from"], got["call_id"], got["video"]) == ("customer", call_id, "off")
        # A screen shared with the camera off: the other side is told both.
        await customer.send({"type": "media", "audio": "on", "video": "off", "screen": "on"})
        got = await agent.expect("media")
        assert (got["video"], got["screen"]) == ("off", "on")
        await agent.send(
            {"type": "media", "call_id": call_id, "audio": "on", "video": "none", "screen": "on"}
        )
        assert (await customer.expect("media"))["screen"] == "on"

        # A customer waiting in the queue is heard by no agent; an agent cannot reach a call
        # that is not theirs; values outside the three are refused.
        other, _ = await Peer.join(
            server,
            "/play/api/call/ws",
            await open_session(server, await customer_link(desk, server)),
        )
        await other.expect("state", status="waiting")
        await other.send(NO_CAMERA)
        await agent.send({"type": "media", "call_id": "call_nothere", "audio": "on", "video": "on"})
        assert (await agent.expect("error"))["code"] == "not_connected"
        await agent.send({"type": "media", "call_id": call_id, "audio": "loud", "video": "on"})
        assert (await agent.expect("error"))["code"] == "malformed"
        await customer.send({"type": "media", "audio": "on", "video": "on", "screen": "none"})
        assert (await customer.expect("error"))["code"] == "malformed"
        await other.send({"type": "ping"})
        await other.expect("pong")  # the media before it were handled
        await customer.send({"type": "chat", "text": "after"})
        got = await next_relayed(agent)  # nothing of the other customer's came before it
        assert (got["type"], got["text"]) == ("chat", "after")
        for peer in (agent, customer, other):
            await peer.close()
