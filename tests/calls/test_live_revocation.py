"""Live call sockets obey revocation: a revoked launch, an expired play session, a disabled
partner or a withdrawn product closes the console's and the customer's socket within the
documented bound, with the documented close code, and nothing more is sent; on one server and on
two sharing PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from websockets.exceptions import ConnectionClosed

from portero.calls.models import Call, CallAgent, CallStatus
from portero.kit.clock import utcnow
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.kit.secrets import hash_token
from portero.launches import service as launches
from portero.launches.models import PlaySession
from portero.partners import service as partners
from portero.partners.models import PartnerStatus
from portero.partners.schemas import PartnerConfigUpdate
from portero.settings import Settings
from tests.support.call_sockets import Desk, connect_call, console_token, make_desk
from tests.support.db import inspecting
from tests.support.live import Peer, live_server

# The bound under test: checks at least this often (the default is 5 s; see docs/security.md).
REVALIDATE_SECONDS = 0.3
Cause = Callable[[Settings, Desk, str], Awaitable[None]]


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url, revalidate_seconds=REVALIDATE_SECONDS):
        yield made


@pytest.fixture
async def postgres_desk(postgres_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(postgres_url, revalidate_seconds=REVALIDATE_SECONDS):
        yield made


async def _in_database(settings: Settings, work: Callable[..., Awaitable[object]]) -> None:
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await work(session)
    finally:
        await engine.dispose()


async def _launch_of(session: object, token: str) -> str:
    found = await session.execute(  # type: ignore[attr-defined]
        select(PlaySession.launch_id).where(PlaySession.token_hash == hash_token(token))
    )
    launch_id: str = found.scalar_one()
    return launch_id


async def revoke_launch(settings: Settings, desk: Desk, token: str) -> None:
    async def work(session: object) -> None:
        launch_id = await _launch_of(session, token)
        await launches.revoke_launch(session, partner_id=desk.partner.id, launch_id=launch_id)  # type: ignore[arg-type]

    await _in_database(settings, work)


async def expire_session(settings: Settings, desk: Desk, token: str) -> None:
    """The play session's 12 h limit passes."""

    async def work(session: object) -> None:
        past = utcnow() - timedelta(seconds=1)
        await session.execute(  # type: ignore[attr-defined]
            update(PlaySession)
            .where(PlaySession.token_hash == hash_token(token))
            .values(expires_at=past)
        )

    await _in_database(settings, work)


async def disable_partner(settings: Settings, desk: Desk, token: str) -> None:
    await _in_database(
        settings,
        lambda session: partners.set_status(
            session, partner_id=desk.partner.id, status=PartnerStatus.disabled
        ),
    )


async def withdraw_product(settings: Settings, desk: Desk, token: str) -> None:
    update_ = PartnerConfigUpdate(products=["roulette"])  # no longer "call"
    await _in_database(
        settings,
        lambda session: partners.configure(session, partner_id=desk.partner.id, update=update_),
    )


CAUSES: dict[str, tuple[Cause, int, str]] = {
    "revoked launch": (revoke_launch, 4401, "session_expired"),
    "expired session": (expire_session, 4401, "session_expired"),
    "disabled partner": (disable_partner, 4403, "access_withdrawn"),
    "withdrawn product": (withdraw_product, 4403, "access_withdrawn"),
}


async def assert_closed(peer: Peer, close_code: int, code: str) -> None:
    """The socket says why (an error of `code`), then closes with `close_code`: nothing else."""
    assert (await peer.expect("error"))["code"] == code
    with pytest.raises(ConnectionClosed) as closed:
        await peer.connection.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == close_code


async def agent_and_call(settings: Settings, desk: Desk, call_id: str) -> tuple[str, str]:
    engine = create_engine(settings)
    try:
        async with inspecting(create_sessionmaker(engine)) as session:
            agent = (
                await session.execute(select(CallAgent).where(CallAgent.code == desk.agent_code))
            ).scalar_one()
            call = (await session.execute(select(Call).where(Call.id == call_id))).scalar_one()
            return agent.presence, call.status
    finally:
        await engine.dispose()


@pytest.mark.parametrize("cause", CAUSES)
async def test_the_console_closes_and_its_agent_goes_offline(desk: Desk, cause: str) -> None:
    act, close_code, code = CAUSES[cause]
    with live_server(desk.settings) as server:
        token = await console_token(desk, server)
        agent, customer, call_id = await connect_call(desk, server, server, console=token)
        await act(server.settings, desk, token)
        await assert_closed(agent, close_code, code)
        if close_code == 4403:  # the partner's every socket closes, and its calls end
            await assert_closed(customer, close_code, code)
            ended = CallStatus.completed
        else:  # only this console's session: its call waits for the agent's other console
            await customer.send({"type": "ping"})
            await customer.expect("pong")
            await customer.close()
            ended = CallStatus.connected
        presence, status = await agent_and_call(server.settings, desk, call_id)
        assert (presence, status) == ("offline", ended)


@pytest.mark.parametrize("cause", CAUSES)
async def test_the_customer_socket_closes_and_its_call_ends(desk: Desk, cause: str) -> None:
    act, close_code, code = CAUSES[cause]
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        customer_token = customer.token
        await act(server.settings, desk, customer_token)
        await assert_closed(customer, close_code, code)
        if close_code == 4403:  # the partner's every socket closes
            await assert_closed(agent, close_code, code)
        else:  # the console is still good, and told that the call ended
            await agent.expect("state", calls=[])
            await agent.close()
        _, status = await agent_and_call(server.settings, desk, call_id)
        assert status == CallStatus.completed


async def test_a_revoked_console_passes_its_ringing_offer_on(desk: Desk) -> None:
    """An offer ringing on a console that loses its right to be there moves on at once."""
    from tests.support.call_sockets import customer_link
    from tests.support.live import open_session

    with live_server(desk.settings) as server:
        token = await console_token(desk, server)
        agent, _ = await Peer.join(server, "/play/api/console/ws", token)
        await agent.send({"type": "presence", "presence": "available"})
        await agent.expect("state", agent=lambda a: a["presence"] == "available")
        link = await customer_link(desk, server)
        customer, welcome = await Peer.join(
            server, "/play/api/call/ws", await open_session(server, link)
        )
        await customer.expect("state", status="ringing")
        await revoke_launch(server.settings, desk, token)
        await assert_closed(agent, 4401, "session_expired")
        await customer.expect("state", status="waiting")  # back in the queue, nobody else
        presence, status = await agent_and_call(server.settings, desk, welcome["call_id"])
        assert (presence, status) == ("offline", CallStatus.waiting)
        await customer.close()


@pytest.mark.slow
@pytest.mark.parametrize("side", ["console", "customer"])
@pytest.mark.parametrize("cause", CAUSES)
async def test_both_sockets_obey_revocation_across_two_servers(
    postgres_desk: Desk, redis_reachable: str, cause: str, side: str
) -> None:
    """The console on one server, the customer on the other; the cause acts on one side's
    session (a partner's disabling or lost product on both)."""
    act, close_code, code = CAUSES[cause]
    shared = postgres_desk.settings.model_copy(update={"redis_url": redis_reachable})
    with live_server(shared) as first, live_server(shared) as second:
        token = await console_token(postgres_desk, first)
        agent, customer, call_id = await connect_call(postgres_desk, first, second, console=token)
        hit, spared = (agent, customer) if side == "console" else (customer, agent)
        await act(first.settings, postgres_desk, hit.token)
        await assert_closed(hit, close_code, code)
        if close_code == 4403:  # the partner's every socket closes, on every server
            await assert_closed(spared, close_code, code)
        elif side == "console":  # the customer waits for the agent's other console, if any
            await spared.send({"type": "ping"})
            await spared.expect("pong")
            await spared.close()
        else:  # the console is still good, and told that the call ended
            await spared.expect("state", calls=[])
            await spared.close()
        presence, status = await agent_and_call(first.settings, postgres_desk, call_id)
        console_only = side == "console" and close_code == 4401
        assert status == (CallStatus.connected if console_only else CallStatus.completed)
        assert presence == ("offline" if side == "console" or close_code == 4403 else "available")
