"""A call desk for tests: a partner with categories and agents, customers who have opened a call
link, and a clock the tests move by hand (no waiting on real time)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import directory as service
from portero.calls import presence, queue, views
from portero.calls.models import Call, CallAgent, CallOffer, Presence
from portero.calls.outbox import Outbox
from portero.calls.timings import CallTimings
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches import opening
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    open_link,
)

T = TypeVar("T")
TIMINGS = CallTimings(
    offer=timedelta(seconds=20), wait=timedelta(seconds=120), grace=timedelta(seconds=20)
)


@dataclass
class CallDesk:
    """One partner's call desk, driven through the services with an explicit clock."""

    sessions: async_sessionmaker[AsyncSession]
    client: httpx.AsyncClient
    partner: PartnerFixture
    now: datetime = field(default_factory=utcnow)
    outbox: Outbox = field(default_factory=Outbox)
    database_url: str = ""

    def later(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    async def run(self, work: Callable[[AsyncSession, Outbox], Awaitable[T]]) -> T:
        async with session_scope(self.sessions) as session:
            return await work(session, self.outbox)

    async def category(self, name: str = "Ventas") -> str:
        category = await self.run(
            lambda s, _o: service.add_category(s, partner_id=self.partner.id, name=name)
        )
        return category.code

    async def agent(
        self, name: str, *categories: str, capacity: int = 1, available: bool = True
    ) -> CallAgent:
        agent, _ = await self.run(
            lambda s, _o: service.add_agent(
                s, partner_id=self.partner.id, name=name, category_codes=categories,
                capacity=capacity,
            )
        )  # fmt: skip
        if available:
            await self.set_presence(agent.id, Presence.available)
        return agent

    async def set_presence(self, agent_id: int, wanted: Presence) -> None:
        await self.run(
            lambda s, o: presence.set_presence(
                s, o, agent_id=agent_id, presence=wanted, now=self.now, timings=TIMINGS
            )
        )

    async def alive(self, *agents: CallAgent, calls: tuple[str, ...] = ()) -> None:
        """Heartbeats at the current time, as open consoles and customer pages send."""
        async with session_scope(self.sessions) as session:
            for agent in agents:
                await presence.agent_seen(session, agent_id=agent.id, now=self.now)
            for call_id in calls:
                await queue.customer_seen(session, call_id=call_id, now=self.now)

    async def customer_link(self, name: str = "Estarly", **params: Any) -> dict[str, Any]:
        body = launch_body(
            "call",
            params={"tickets": [{"title": "Pedido", "description": "Cambiar talla"}], **params},
        )
        body["player"] |= {"name": name, "cellphone": "+584141315854"}
        return await create_launch(self.client, self.partner, body)

    async def context_of(self, launch: dict[str, Any]) -> opening.PlayContext:
        bearer = (await open_link(self.client, launch))["Authorization"].removeprefix("Bearer ")
        async with session_scope(self.sessions) as session:
            return await opening.resume(session, token=bearer)

    async def join(self, launch: dict[str, Any]) -> str:
        context = await self.context_of(launch)
        return await self.run(lambda s, o: queue.join(s, o, context, now=self.now, timings=TIMINGS))

    async def customer(self, name: str = "Estarly", **params: Any) -> str:
        """A customer who opened a new call link and joined the queue; the call id."""
        return await self.join(await self.customer_link(name, **params))

    async def call(self, call_id: str) -> Call:
        async with inspecting(self.sessions) as session:
            return (await session.execute(select(Call).where(Call.id == call_id))).scalar_one()

    async def agent_row(self, agent_id: int) -> CallAgent:
        async with inspecting(self.sessions) as session:
            found = await session.execute(select(CallAgent).where(CallAgent.id == agent_id))
            return found.scalar_one()

    async def offers(self, call_id: str) -> list[tuple[int, str | None]]:
        async with inspecting(self.sessions) as session:
            rows = await session.execute(
                select(CallOffer.agent_id, CallOffer.outcome)
                .where(CallOffer.call_id == call_id)
                .order_by(CallOffer.id)
            )
            return [(agent_id, outcome) for agent_id, outcome in rows.all()]

    async def customer_state(self, call_id: str) -> dict[str, Any]:
        async with session_scope(self.sessions) as session:
            return (await views.customer_view(session, call_id)).state

    async def console(self, agent_id: int) -> dict[str, Any]:
        async with session_scope(self.sessions) as session:
            return await views.console_view(session, agent_id)
