"""The supervisor's wallboard socket on a real server: the desk's figures as it opens, again as
soon as a customer joins the queue; and a socket for anything but a wallboard is refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.call_sockets import Desk, customer_link, make_desk
from tests.support.live import WAIT_SECONDS, LiveServer, Peer, live_server, open_session


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


async def wallboard_token(desk: Desk, server: LiveServer) -> str:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        made = await http.post(
            "/v1/wallboard-links",
            json={"supervisor": "sara", "name": "Sara"},
            headers={"Authorization": f"Bearer {desk.partner.token}"},
        )
    assert made.status_code == 201, made.text
    return await open_session(server, made.json()["url"])


def waiting_in(state: dict[str, Any], category: str) -> int:
    found = [c for c in state["categories"] if c["category"] == category]
    return int(found[0]["waiting"])


async def test_the_wallboard_shows_a_customer_joining_at_once(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        board, welcome = await Peer.join(
            server, "/play/api/wallboard/ws", await wallboard_token(desk, server)
        )
        assert welcome["role"] == "supervisor"
        first = await board.expect("state")
        assert first["object"] == "desk_stats"
        assert waiting_in(first, desk.category) == 0

        link = await customer_link(desk, server)
        customer, _ = await Peer.join(server, "/play/api/call/ws", await open_session(server, link))
        await customer.expect("state", status="waiting")  # Ana's console is not open
        joined = await board.expect(
            "state", categories=lambda found: any(c["waiting"] == 1 for c in found)
        )
        assert waiting_in(joined, desk.category) == 1
        await customer.close()
        await board.close()


async def test_a_call_link_does_not_open_the_wallboard(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        token = await open_session(server, await customer_link(desk, server))
        async with connect(server.ws_url + "/play/api/wallboard/ws") as connection:
            await connection.send(json.dumps({"type": "hello", "token": token}))
            refused = json.loads(await asyncio.wait_for(connection.recv(), WAIT_SECONDS))
            assert (refused["type"], refused["code"]) == ("error", "wrong_product")
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(connection.recv(), WAIT_SECONDS)
            assert connection.close_code == 4403
