"""The chat of a call on real servers: what the two pages say reaches the partner's transcript,
the agent's console reads the transcripts of the calls it took (and no other), the customer's
page its own call's, and a relay
never waits for the transcript's writes (PostgreSQL, a table another transaction holds)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.calls.test_socket_chores import asyncpg_url
from tests.support.call_sockets import Desk, connect_call, make_desk
from tests.support.live import WAIT_SECONDS, LiveServer, Peer, live_server
from tests.support.polling import eventually


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


@pytest.fixture
async def clockless_postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(postgres_url, tick_seconds=0):
        yield made


async def chat_both_ways(agent: Peer, customer: Peer, call_id: str) -> None:
    await customer.send({"type": "chat", "text": "Hola, quería cambiar la talla"})
    assert (await agent.expect("chat"))["text"] == "Hola, quería cambiar la talla"
    await agent.send({"type": "chat", "call_id": call_id, "text": "Claro, ¿qué talla?"})
    assert (await customer.expect("chat"))["text"] == "Claro, ¿qué talla?"


async def transcript_of(server: LiveServer, desk: Desk, call_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        answer = await http.get(f"/v1/calls/{call_id}/transcript", headers=desk.partner.auth)
    assert answer.status_code == 200, answer.text
    messages: list[dict[str, Any]] = answer.json()["data"]
    return messages


async def test_the_chat_reaches_the_transcript_and_the_agents_console(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        await chat_both_ways(agent, customer, call_id)

        async def both_kept() -> bool:
            return len(await transcript_of(server, desk, call_id)) == 2

        await eventually(both_kept)
        said = await transcript_of(server, desk, call_id)
        assert [(m["sender"], m["agent"]["name"], m["text"]) for m in said] == [
            ("customer", "Ana", "Hola, quería cambiar la talla"),
            ("agent", "Ana", "Claro, ¿qué talla?"),
        ]
        # The console asks for the transcript of a call it took…
        await agent.send({"type": "transcript", "call_id": call_id})
        shown = await agent.expect("transcript")
        assert shown["call_id"] == call_id
        assert [(m["from"], m["text"]) for m in shown["messages"]] == [
            ("customer", "Hola, quería cambiar la talla"),
            ("agent", "Claro, ¿qué talla?"),
        ]
        assert shown["messages"][0]["agent"]["name"] == "Ana"
        # …and of no other: one it never took, one of nobody.
        for other in ("call_00000000000000000000000000", "x"):
            await agent.send({"type": "transcript", "call_id": other})
            assert (await agent.expect("error"))["code"] == "CallNotFound"
        # The customer's page reads its own call's (a reload mid-call), agents by name only.
        await customer.send({"type": "transcript"})
        mine = await customer.expect("transcript")
        assert [(m["from"], m["text"], m["agent"]) for m in mine["messages"]] == [
            ("customer", "Hola, quería cambiar la talla", {"name": "Ana"}),
            ("agent", "Claro, ¿qué talla?", {"name": "Ana"}),
        ]
        await agent.close()
        await customer.close()


async def test_a_relay_does_not_wait_for_the_transcripts_writes(
    clockless_postgres_desk: Desk, postgres_url: str
) -> None:
    desk = clockless_postgres_desk
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        holder = await asyncpg.connect(asyncpg_url(postgres_url), timeout=WAIT_SECONDS)
        reader = await asyncpg.connect(asyncpg_url(postgres_url), timeout=WAIT_SECONDS)
        try:
            lock = holder.transaction()
            await lock.start()
            # Nobody can write a message until this transaction ends.
            await holder.execute("LOCK TABLE call_message IN EXCLUSIVE MODE")
            await chat_both_ways(agent, customer, call_id)
            await chat_both_ways(agent, customer, call_id)
            # Another connection reads the table (the lock stops writes, not reads).
            kept = await reader.fetchval(
                "SELECT count(*) FROM call_message WHERE call_id = $1", call_id
            )
            assert kept == 0  # relayed, all four, while the writes wait
            await lock.rollback()

            async def all_kept() -> bool:
                return len(await transcript_of(server, desk, call_id)) == 4

            await eventually(all_kept)
        finally:
            await holder.close()
            await reader.close()
        await agent.close()
        await customer.close()
