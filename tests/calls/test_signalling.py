"""The call sockets on a real server: state pushed to both pages, signalling and chat relayed
only between the two parties, hang-up; and across two server processes through Redis."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as redis
from sqlalchemy import event
from websockets.exceptions import ConnectionClosed

from portero.calls import directory as service
from portero.calls.bus import RedisBus
from portero.calls.console import issue_console_link
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.settings import Settings
from tests.conftest import REQUIRE_POSTGRES, make_settings
from tests.support.factories import PartnerFixture, make_partner
from tests.support.live import WAIT_SECONDS, LiveServer, Peer, live_server, open_session

REDIS_URL = os.environ.get("PORTERO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Desk:
    settings: Settings
    partner: PartnerFixture
    category: str
    agent_code: str


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in _desk(database_url):
        yield made


@pytest.fixture
async def postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    async for made in _desk(postgres_url):
        yield made


async def _desk(database_url: str, tick_seconds: float = 0.2) -> AsyncIterator[Desk]:
    settings = make_settings(database_url, call_tick_seconds=tick_seconds)
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    partner = await make_partner(sessions, products=["call"])
    async with session_scope(sessions) as session:
        category = await service.add_category(session, partner_id=partner.id, name="Ventas")
        agent, _ = await service.add_agent(
            session, partner_id=partner.id, name="Ana", category_codes=[category.code]
        )
        codes = (category.code, agent.code)
    yield Desk(settings, partner, *codes)
    await engine.dispose()


async def console_token(desk: Desk, server: LiveServer) -> str:
    engine = create_engine(server.settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            _, url = await issue_console_link(
                session, server.settings, partner_id=desk.partner.id, agent_code=desk.agent_code
            )
    finally:
        await engine.dispose()
    return await open_session(server, url)


async def customer_link(desk: Desk, server: LiveServer, name: str = "Estarly") -> str:
    """A link made through seed 002's API, as the partner's server makes it."""
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/api/v1/access/external/cammer/generate-session",
            headers={
                "Authorization": f"Bearer {desk.partner.token}",
                "X-Requested-With": "XMLHttpRequest",
            },
            json={
                "name": name,
                "email": "estarly@example.com",
                "cellphone": "+584141315854",
                "categoryCode": desk.category,
                "ticket": {"title": "Promoción", "description": "20% de descuento"},
            },
        )
    assert response.status_code == 200, response.text
    link: str = response.json()["data"]["link"]
    return link


async def connect_call(
    desk: Desk, agent_server: LiveServer, customer_server: LiveServer
) -> tuple[Peer, Peer, str]:
    """An available agent on one server, a customer on another (or the same); answered."""
    agent, welcome = await Peer.join(
        agent_server, "/play/api/console/ws", await console_token(desk, agent_server)
    )
    assert welcome["role"] == "agent"
    await agent.expect("state", agent=lambda a: a["presence"] == "offline")
    await agent.send({"type": "presence", "presence": "available"})
    await agent.expect("state", agent=lambda a: a["presence"] == "available")

    link = await customer_link(desk, customer_server)
    customer, welcome = await Peer.join(
        customer_server, "/play/api/call/ws", await open_session(customer_server, link)
    )
    call_id = welcome["call_id"]
    first = await customer.expect("state")
    assert first["tickets"] == [{"title": "Promoción", "description": "20% de descuento"}]
    assert first["status"] == "ringing"  # routed as it joined: the agent was free
    offer = (await agent.expect("state", offer=lambda o: o is not None))["offer"]
    assert offer["call_id"] == call_id
    assert offer["customer"]["name"] == "Estarly"
    assert offer["customer"]["cellphone"] == "+584141315854"

    await agent.send({"type": "accept", "call_id": call_id})
    connected = await customer.expect("state", status="connected")
    assert connected["agent"] == {"name": "Ana"}
    await agent.expect("state", calls=lambda calls: [c["call_id"] for c in calls] == [call_id])
    return agent, customer, call_id


async def exchange(agent: Peer, customer: Peer, call_id: str) -> None:
    """Signalling and chat cross in both directions."""
    await agent.send({"type": "signal", "call_id": call_id, "data": {"sdp": "offer-sdp"}})
    got = await customer.expect("signal")
    assert (got["from"], got["data"]) == ("agent", {"sdp": "offer-sdp"})
    await customer.send({"type": "signal", "data": {"sdp": "answer-sdp"}})
    got = await agent.expect("signal")
    assert (got["from"], got["call_id"], got["data"]) == (
        "customer",
        call_id,
        {"sdp": "answer-sdp"},
    )
    await customer.send({"type": "chat", "text": "  Hola, ¿me oyes?  "})
    assert (await agent.expect("chat"))["text"] == "Hola, ¿me oyes?"
    await agent.send({"type": "chat", "call_id": call_id, "text": "Sí, perfectamente"})
    assert (await customer.expect("chat"))["text"] == "Sí, perfectamente"


async def hang_up(agent: Peer, customer: Peer, call_id: str) -> None:
    await customer.send({"type": "hangup"})
    ended = await customer.expect("state", status="completed")
    assert ended["ended_at"] is not None
    with pytest.raises(ConnectionClosed):  # the server closes the customer's socket
        await customer.expect("never")
    state = await agent.expect("state", calls=[])
    assert [(c["call_id"], c["status"]) for c in state["recent"]] == [(call_id, "completed")]


@pytest.fixture
async def clockless_desk(database_url: str) -> AsyncIterator[Desk]:
    """The call clock off: nothing but the pages' own messages reaches the database."""
    async for made in _desk(database_url, tick_seconds=0):
        yield made


async def test_relaying_signals_and_chat_costs_no_database_round_trip(
    clockless_desk: Desk,
) -> None:
    with live_server(clockless_desk.settings) as server:
        agent, customer, call_id = await connect_call(clockless_desk, server, server)
        # One round first: the answer's "look again" messages, still queued for the sockets
        # (each re-reads its state once), are behind it.
        await exchange(agent, customer, call_id)
        statements: list[str] = []

        def count(_conn: object, statement: object, *_args: object) -> None:
            statements.append(str(statement))

        engine = server.app.state.runtime.engine.sync_engine
        event.listen(engine, "before_execute", count)
        try:
            for _ in range(5):
                await exchange(agent, customer, call_id)
        finally:
            event.remove(engine, "before_execute", count)
        assert statements == []
        await hang_up(agent, customer, call_id)  # and the call still ends as it should


async def test_a_call_from_offer_to_hang_up(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        await exchange(agent, customer, call_id)
        await hang_up(agent, customer, call_id)
        await agent.close()


async def test_only_the_two_parties_can_signal(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        # A second customer, waiting in the queue, cannot reach the agent.
        other, _ = await Peer.join(
            server,
            "/play/api/call/ws",
            await open_session(server, await customer_link(desk, server, "Otro")),
        )
        assert (await other.expect("state"))["position"] == 1
        await other.send({"type": "signal", "data": {"sdp": "intrusion"}})
        assert (await other.expect("error"))["code"] == "not_connected"
        # The agent cannot signal a call that is not theirs.
        await agent.send({"type": "signal", "call_id": "call_nothere", "data": {}})
        assert (await agent.expect("error"))["code"] == "not_connected"
        await agent.send({"type": "chat", "call_id": call_id, "text": "x" * 2001})
        assert (await agent.expect("error"))["code"] == "too_large"
        await agent.send({"type": "dance"})
        assert (await agent.expect("error"))["code"] == "unknown_type"
        await customer.connection.send("{not json")
        assert (await customer.expect("error"))["code"] == "malformed"
        for peer in (agent, customer, other):
            await peer.close()


async def test_sockets_refuse_a_missing_or_wrong_session(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        from websockets.asyncio.client import connect

        async with connect(server.ws_url + "/play/api/call/ws", open_timeout=WAIT_SECONDS) as ws:
            await ws.send('{"type": "hello", "token": "pss_forged"}')
            assert '"session_expired"' in await ws.recv()
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401
        # An agent's console session is no customer's.
        token = await console_token(desk, server)
        async with connect(server.ws_url + "/play/api/call/ws", open_timeout=WAIT_SECONDS) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token}))
            assert '"wrong_product"' in await ws.recv()
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403


async def test_agent_and_customer_on_two_servers_reach_each_other_through_redis(
    postgres_desk: Desk, redis_reachable: str
) -> None:
    desk = postgres_desk
    shared = desk.settings.model_copy(update={"redis_url": redis_reachable})
    with live_server(shared) as first, live_server(shared) as second:
        agent, customer, call_id = await connect_call(desk, first, second)
        await exchange(agent, customer, call_id)
        await hang_up(agent, customer, call_id)
        await agent.close()


@pytest.fixture(scope="session")
async def redis_reachable() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (redis.ConnectionError, OSError) as error:
        if REQUIRE_POSTGRES:  # CI: the services are part of the machine
            pytest.fail(f"Redis is required here but unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    finally:
        await client.aclose()
    return REDIS_URL


async def test_the_redis_bus_delivers_between_two_processes_buses(redis_reachable: str) -> None:
    import asyncio

    sender, receiver = RedisBus(redis_reachable), RedisBus(redis_reachable)
    await sender.start()
    await receiver.start()
    try:
        async with receiver.subscribe(["portero:test:a"]) as subscription:
            # A subscription is live once Redis counts it: publish until it is delivered.
            for attempt in range(50):
                await sender.publish("portero:test:a", {"n": attempt})
                try:
                    channel, message = await asyncio.wait_for(subscription.get(), 0.1)
                    break
                except TimeoutError:
                    continue
            else:
                pytest.fail("nothing was delivered through Redis")
            assert channel == "portero:test:a"
            assert isinstance(message["n"], int)
            await sender.publish("portero:test:b", {"n": -1})  # nobody listens there
            await sender.publish("portero:test:a", {"n": "last"})
            while message.get("n") != "last":
                channel, message = await asyncio.wait_for(subscription.get(), WAIT_SECONDS)
            assert channel == "portero:test:a"
    finally:
        await sender.close()
        await receiver.close()
