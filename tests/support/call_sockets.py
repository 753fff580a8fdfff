"""Call sockets on real servers: a desk (a partner with a category and an agent), the links and
console sessions the pages hold, and a call connected between an agent and a customer."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from portero.calls import directory as service
from portero.calls.console import issue_console_link
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.settings import Settings
from tests.conftest import make_settings
from tests.support.factories import PartnerFixture, make_partner
from tests.support.live import LiveServer, Peer, open_session

REDIS_URL = os.environ.get("PORTERO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# What the pages send: RTCSessionDescription.toJSON() and RTCIceCandidate.toJSON(), with the
# id of the peer connection they belong to.
OFFER = {"peer": "p1", "description": {"type": "offer", "sdp": "v=0 offer"}}
ANSWER = {"peer": "p1", "description": {"type": "answer", "sdp": "v=0 answer"}}
CANDIDATE = {
    "peer": "p1",
    "candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host", "sdpMid": "0"},
}


@dataclass
class Desk:
    settings: Settings
    partner: PartnerFixture
    category: str
    agent_code: str


async def make_desk(
    database_url: str, tick_seconds: float = 0.2, revalidate_seconds: float = 5.0
) -> AsyncIterator[Desk]:
    settings = make_settings(
        database_url, call_tick_seconds=tick_seconds, call_revalidate_seconds=revalidate_seconds
    )
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


async def console_token(desk: Desk, server: LiveServer, agent_code: str = "") -> str:
    """An open console session of the desk's agent (or of the agent `agent_code`)."""
    engine = create_engine(server.settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            _, url = await issue_console_link(
                session, server.settings, partner_id=desk.partner.id,
                agent_code=agent_code or desk.agent_code,
            )  # fmt: skip
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
    desk: Desk, agent_server: LiveServer, customer_server: LiveServer, *, console: str = ""
) -> tuple[Peer, Peer, str]:
    """An available agent on one server (on the `console` session, or a new one), a customer on
    another (or the same); answered."""
    agent, welcome = await Peer.join(
        agent_server, "/play/api/console/ws", console or await console_token(desk, agent_server)
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
