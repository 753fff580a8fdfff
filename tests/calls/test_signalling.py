"""The call sockets on a real server: state pushed to both pages, signalling and chat relayed
only between the two parties, hang-up; and across two server processes through Redis."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event
from websockets.exceptions import ConnectionClosed

from portero.calls.bus import RedisBus
from tests.support.call_sockets import (
    ANSWER,
    CANDIDATE,
    OFFER,
    Desk,
    connect_call,
    console_token,
    customer_link,
    make_desk,
)
from tests.support.live import WAIT_SECONDS, Peer, live_server, open_session
from tests.support.polling import eventually


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


@pytest.fixture
async def postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(postgres_url):
        yield made


async def exchange(agent: Peer, customer: Peer, call_id: str) -> None:
    """Signalling and chat cross in both directions."""
    await agent.send({"type": "signal", "call_id": call_id, "data": OFFER})
    got = await customer.expect("signal")
    assert (got["from"], got["data"]) == ("agent", OFFER)
    await customer.send({"type": "signal", "data": ANSWER})
    got = await agent.expect("signal")
    assert (got["from"], got["call_id"], got["data"]) == (
        "customer",
        call_id,
        ANSWER,
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
    async for made in make_desk(database_url, tick_seconds=0):
        yield made


async def test_relaying_signals_and_chat_costs_no_database_round_trip(
    clockless_desk: Desk,
) -> None:
    """The only statements are the transcript's, written beside the relay (calls/transcripts.py,
    and tests/calls/test_transcripts.py for a relay that does not wait for them)."""
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

            async def written() -> bool:
                return bool(statements)

            await eventually(written)  # the chat is kept, a moment after it was relayed…
        finally:
            event.remove(engine, "before_execute", count)
        assert {statement.split(" (")[0] for statement in statements} == {
            "INSERT INTO call_message"
        }  # …and nothing else reaches the database
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
        await other.send({"type": "signal", "data": CANDIDATE})
        assert (await other.expect("error"))["code"] == "not_connected"
        # The agent cannot signal a call that is not theirs.
        await agent.send({"type": "signal", "call_id": "call_nothere", "data": CANDIDATE})
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
