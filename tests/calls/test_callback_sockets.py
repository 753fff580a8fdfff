"""Callback requests on real servers: the customer's socket told the desk is closed, the
request reaching the agent's open console, the agent marking it done from there; and two
servers on one PostgreSQL database taking the same request at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.call_sockets import Desk, console_token, customer_link, make_desk
from tests.support.live import LiveServer, Peer, live_server, open_session

CALLBACK = "/play/api/call/callback"


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


@pytest.fixture
async def postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(postgres_url):
        yield made


async def close_the_desk(desk: Desk, server: LiveServer) -> None:
    """The category's hours: open two days from now only."""
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%a").lower()
    hours = {
        "time_zone": "UTC",
        "weekly": {later: [{"opens": "10:00", "closes": "11:00"}]},
        "offline_message": "Volvemos pronto.",
    }
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await http.put(
            f"/v1/call-categories/{desk.category}/hours",
            json=hours,
            headers={"Authorization": f"Bearer {desk.partner.token}"},
        )
    assert answer.status_code == 200, answer.text


async def closed_call(desk: Desk, server: LiveServer) -> tuple[str, dict[str, Any]]:
    """A customer who joined the closed desk: the page's token and the state it was shown."""
    token = await open_session(server, await customer_link(desk, server))
    customer, _welcome = await Peer.join(server, "/play/api/call/ws", token)
    state = await customer.expect("state")
    await customer.close()
    return token, state


async def test_the_agents_console_shows_the_request_and_marks_it_done(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        await close_the_desk(desk, server)
        agent, _ = await Peer.join(
            server, "/play/api/console/ws", await console_token(desk, server)
        )
        await agent.expect("state", callbacks=[])

        token, state = await closed_call(desk, server)
        assert (state["status"], state["closed"], state["offline_message"]) == (
            "missed", True, "Volvemos pronto.",
        )  # fmt: skip
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            made = await http.post(
                CALLBACK, json={"message": "Llamadme"}, headers={"Authorization": f"Bearer {token}"}
            )
        assert made.status_code == 201, made.text
        listed = await agent.expect("state", callbacks=lambda found: len(found) == 1)
        request = listed["callbacks"][0]
        assert (request["id"], request["message"], request["customer"]["name"]) == (
            made.json()["id"], "Llamadme", "Estarly",
        )  # fmt: skip

        await agent.send({"type": "callback_done", "callback_id": request["id"]})
        await agent.expect("state", callbacks=[])
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            record = await http.get(
                f"/v1/callbacks/{request['id']}",
                headers={"Authorization": f"Bearer {desk.partner.token}"},
            )
        assert (record.json()["status"], record.json()["done_by"]) == ("done", desk.agent_code)
        await agent.close()


async def test_a_console_cannot_mark_another_partners_request(database_url: str) -> None:
    async for mine in make_desk(database_url):
        async for theirs in make_desk(database_url):
            with live_server(mine.settings) as server:
                await close_the_desk(theirs, server)
                token, _state = await closed_call(theirs, server)
                async with httpx.AsyncClient(base_url=server.base_url) as http:
                    made = await http.post(
                        CALLBACK, json={}, headers={"Authorization": f"Bearer {token}"}
                    )
                    assert made.status_code == 201, made.text
                    agent, _ = await Peer.join(
                        server, "/play/api/console/ws", await console_token(mine, server)
                    )
                    await agent.expect("state")
                    await agent.send({"type": "callback_done", "callback_id": made.json()["id"]})
                    refused = await agent.expect("error")
                    assert refused["code"] == "CallbackNotFound"
                    record = await http.get(
                        f"/v1/callbacks/{made.json()['id']}",
                        headers={"Authorization": f"Bearer {theirs.partner.token}"},
                    )
                assert record.json()["status"] == "open"
                await agent.close()


async def test_two_servers_take_one_request_once(postgres_desk: Desk) -> None:
    desk = postgres_desk
    with live_server(desk.settings) as first, live_server(desk.settings) as second:
        await close_the_desk(desk, first)
        token, _state = await closed_call(desk, first)

        async def ask(server: LiveServer) -> int:
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                answer = await http.post(
                    CALLBACK, json={}, headers={"Authorization": f"Bearer {token}"}
                )
            return answer.status_code

        statuses = await asyncio.gather(*(ask(server) for server in (first, second, first)))
        assert sorted(statuses) == [201, 409, 409]
        async with httpx.AsyncClient(base_url=first.base_url) as http:
            listed = await http.get(
                "/v1/callbacks", headers={"Authorization": f"Bearer {desk.partner.token}"}
            )
        assert len(listed.json()["data"]) == 1
