"""A customer's page that sends signalling or chat while no call is connected is refused, and
its messages cost the database one read of the state at most per RELAY_REREAD_SECONDS, not
one per frame."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event

from portero.calls.ws import messages
from tests.support.call_sockets import CANDIDATE, Desk, connect_call, customer_link, make_desk
from tests.support.live import Peer, live_server, open_session


@pytest.fixture
async def clockless_desk(database_url: str) -> AsyncIterator[Desk]:
    """The call clock off: nothing but the pages' own messages reaches the database."""
    async for made in make_desk(database_url, tick_seconds=0):
        yield made


async def test_a_waiting_customers_messages_read_the_state_once_per_interval(
    clockless_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live_server(clockless_desk.settings) as server:
        # Nobody is on the console: the call waits.
        link = await customer_link(clockless_desk, server)
        customer, _ = await Peer.join(server, "/play/api/call/ws", await open_session(server, link))
        assert (await customer.expect("state"))["status"] == "waiting"
        statements: list[str] = []

        def count(_conn: object, statement: object, *_args: object) -> None:
            statements.append(str(statement))

        engine = server.app.state.runtime.engine.sync_engine
        monkeypatch.setattr(messages, "RELAY_REREAD_SECONDS", 3600.0)
        event.listen(engine, "before_execute", count)
        try:
            await customer.send({"type": "signal", "data": CANDIDATE})
            assert (await customer.expect("error"))["code"] == "not_connected"
            first = len(statements)
            for _ in range(20):
                await customer.send({"type": "chat", "text": "¿Hay alguien?"})
                assert (await customer.expect("error"))["code"] == "not_connected"
            assert first > 0  # the first one read the state (it may have overtaken news)
            assert len(statements) == first  # the next twenty, within the interval, did not
            monkeypatch.setattr(messages, "RELAY_REREAD_SECONDS", 0.0)
            await customer.send({"type": "signal", "data": CANDIDATE})
            assert (await customer.expect("error"))["code"] == "not_connected"
            assert len(statements) > first  # once the interval is over, it reads again
        finally:
            event.remove(engine, "before_execute", count)
        await customer.close()


async def test_a_connected_customer_reads_nothing_when_another_joins_the_queue(
    clockless_desk: Desk,
) -> None:
    """The queue's news moves only the calls still queued: with n calls connected, each
    arrival would otherwise cost n reads (n x n to connect them all)."""
    with live_server(clockless_desk.settings) as server:
        agent, customer, call_id = await connect_call(clockless_desk, server, server)
        about_the_call: list[str] = []

        def count(
            _conn: object, _cursor: object, statement: str, parameters: object, *_: object
        ) -> None:
            if call_id in repr(parameters):
                about_the_call.append(statement)

        engine = server.app.state.runtime.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            link = await customer_link(clockless_desk, server, "Otra")
            waiting, _ = await Peer.join(
                server, "/play/api/call/ws", await open_session(server, link)
            )
            assert (await waiting.expect("state"))["status"] == "waiting"
            # The news of the arrival went out before the newcomer's state; a signal sent now
            # reaches the connected customer behind it, once its socket has dealt with it.
            await agent.send({"type": "signal", "call_id": call_id, "data": CANDIDATE})
            assert (await customer.expect("signal"))["data"] == CANDIDATE
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert about_the_call == []
        await waiting.close()
        await customer.close()
        await agent.close()
