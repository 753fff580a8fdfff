"""A transfer between two consoles on real servers (one process, and two sharing PostgreSQL and
Redis): the note and the chat so far on the target's offer, the customer's page moved to the
new agent, its signalling and chat reaching that agent alone; a rejected transfer said so on
the first console."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portero.calls import directory as service
from portero.calls.bus import RedisBus
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from tests.calls.test_transcript_sockets import transcript_of
from tests.support.call_sockets import (
    OFFER,
    REDIS_URL,
    Desk,
    connect_call,
    console_token,
    make_desk,
)
from tests.support.live import LiveServer, Peer, live_server
from tests.support.polling import eventually


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


@pytest.fixture
async def postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(postgres_url):
        yield made


async def second_agent(desk: Desk, server: LiveServer, name: str = "Bea") -> tuple[Peer, str]:
    """Another agent of the desk's category, available on a console of `server`."""
    engine = create_engine(desk.settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            agent, _ = await service.add_agent(
                session, partner_id=desk.partner.id, name=name, category_codes=[desk.category]
            )
            code = agent.code
    finally:
        await engine.dispose()
    console, _ = await Peer.join(
        server, "/play/api/console/ws", await console_token(desk, server, agent_code=code)
    )
    await console.expect("state")
    await console.send({"type": "presence", "presence": "available"})
    await console.expect("state", agent=lambda a: a["presence"] == "available")
    return console, code


async def chatted(
    server: LiveServer, desk: Desk, agent: Peer, customer: Peer, call_id: str
) -> None:
    await customer.send({"type": "chat", "text": "Quiero cambiar la talla"})
    assert (await agent.expect("chat"))["text"] == "Quiero cambiar la talla"
    await agent.send({"type": "chat", "call_id": call_id, "text": "Te paso con Bea"})
    assert (await customer.expect("chat"))["text"] == "Te paso con Bea"

    async def kept() -> bool:
        return len(await transcript_of(server, desk, call_id)) == 2

    await eventually(kept)


async def hand_over(
    ana: Peer, bea: Peer, customer: Peer, call_id: str, bea_code: str
) -> dict[str, Any]:
    """Ana transfers the call to Bea, who accepts: Bea's offer as it rang."""
    await ana.send({"type": "directory"})
    found = await ana.expect("directory")
    assert [(a["code"], a["free"]) for a in found["agents"]] == [(bea_code, True)]
    await ana.send({"type": "transfer", "call_id": call_id, "agent": bea_code, "note": "Talla M"})
    offer = (await bea.expect("state", offer=lambda o: o is not None))["offer"]
    await ana.expect("state", calls=lambda c: c and c[0]["transfer"]["status"] == "ringing")
    await bea.send({"type": "accept", "call_id": call_id})
    assert (await customer.expect("state", agent={"name": "Bea"}))["status"] == "connected"
    state = await ana.expect("state", calls=[])
    assert [h["call_id"] for h in state["handed_over"]] == [call_id]
    await bea.expect("state", calls=lambda c: [x["call_id"] for x in c] == [call_id])
    return dict(offer)


async def reaches_bea_alone(ana: Peer, bea: Peer, customer: Peer, call_id: str) -> None:
    await bea.send({"type": "signal", "call_id": call_id, "data": OFFER})
    assert (await customer.expect("signal"))["data"] == OFFER
    await customer.send({"type": "chat", "text": "Hola Bea"})
    assert (await bea.expect("chat"))["text"] == "Hola Bea"
    # Ana has nothing more of the call: her next message is the answer to a ping.
    await ana.send({"type": "ping"})
    while True:
        message = json.loads(await ana.connection.recv())
        assert message["type"] in ("state", "pong"), message
        if message["type"] == "pong":
            break
    await ana.send({"type": "chat", "call_id": call_id, "text": "¿Sigo aquí?"})
    assert (await ana.expect("error"))["code"] == "not_connected"


async def test_a_transfer_moves_the_customer_to_the_second_agent(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        ana, customer, call_id = await connect_call(desk, server, server)
        bea, bea_code = await second_agent(desk, server)
        await chatted(server, desk, ana, customer, call_id)
        offer = await hand_over(ana, bea, customer, call_id, bea_code)
        assert offer["call_id"] == call_id
        assert offer["transfer"]["note"] == "Talla M"
        assert offer["transfer"]["from"]["name"] == "Ana"
        assert [(m["from"], m["text"]) for m in offer["messages"]] == [
            ("customer", "Quiero cambiar la talla"),
            ("agent", "Te paso con Bea"),
        ]
        await reaches_bea_alone(ana, bea, customer, call_id)
        for peer in (ana, bea, customer):
            await peer.close()


async def test_a_rejected_transfer_is_told_to_the_first_console(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        ana, customer, call_id = await connect_call(desk, server, server)
        bea, bea_code = await second_agent(desk, server)
        await ana.send({"type": "transfer", "call_id": call_id, "agent": bea_code})
        await bea.expect("state", offer=lambda o: o is not None and o["transfer"] is not None)
        await bea.send({"type": "reject", "call_id": call_id})
        state = await ana.expect(
            "state", calls=lambda c: c and c[0]["transfer"]["status"] == "rejected"
        )
        assert state["calls"][0]["transfer"]["offered_to"]["name"] == "Bea"
        await bea.expect("state", offer=None)
        # Ana keeps the call: it still relays between her and the customer.
        await customer.send({"type": "chat", "text": "¿Sigues ahí?"})
        assert (await ana.expect("chat"))["text"] == "¿Sigues ahí?"
        # Refusals of a transfer are said on Ana's socket alone.
        both = {"agent": bea_code, "category": "x"}
        for wrong, code in (
            ({"agent": "nadie"}, "AgentNotFound"),
            ({"category": "nada"}, "CategoryNotFound"),
            ({}, "malformed"),
            (both, "malformed"),
            ({"agent": bea_code, "note": "x" * 501}, "too_large"),
        ):
            await ana.send({"type": "transfer", "call_id": call_id, **wrong})
            assert (await ana.expect("error"))["code"] == code, wrong
        await customer.send({"type": "transfer", "agent": bea_code})
        assert (await customer.expect("error"))["code"] == "unknown_type"
        for peer in (ana, bea, customer):
            await peer.close()


async def test_a_transfer_across_two_servers(postgres_desk: Desk) -> None:
    """Ana and the customer on one process, Bea on another: Bea's accept reaches the customer
    through Redis, and so does everything after it."""
    settings = postgres_desk.settings.model_copy(update={"redis_url": REDIS_URL})
    desk = Desk(settings, postgres_desk.partner, postgres_desk.category, postgres_desk.agent_code)
    with live_server(settings) as first, live_server(settings) as second:
        assert isinstance(first.app.state.calls.bus, RedisBus)
        ana, customer, call_id = await connect_call(desk, first, first)
        bea, bea_code = await second_agent(desk, second)
        await chatted(first, desk, ana, customer, call_id)
        offer = await hand_over(ana, bea, customer, call_id, bea_code)
        assert len(offer["messages"]) == 2
        await reaches_bea_alone(ana, bea, customer, call_id)
        for peer in (ana, bea, customer):
            await peer.close()
