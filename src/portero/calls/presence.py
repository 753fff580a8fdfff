"""Agent presence: what the agent sets on the console, and what their console's heartbeat says.

An agent is offered calls only while `available` and seen within the grace period; one whose
console has been silent longer is set offline, and an offer ringing there moves on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import agent_repository as agents
from portero.calls import ending
from portero.calls.models import Presence
from portero.calls.outbox import Outbox
from portero.calls.routing import route
from portero.calls.timings import CallTimings
from portero.calls.transfers import ring_out


async def set_presence(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    presence: Presence,
    now: datetime,
    timings: CallTimings,
) -> None:
    row = await agents.lock_presence(session, agent_id)
    await agents.set_presence(
        session,
        agent_id=agent_id,
        presence=presence,
        now=now,
        changed=row.presence != presence.value,
    )
    if presence is not Presence.available and row.offer_call_id is not None:
        await ring_out(
            session, outbox, agent_id=agent_id, call_id=row.offer_call_id, now=now,
            timings=timings,
        )  # fmt: skip
    outbox.refresh_agent(agent_id)
    if presence is Presence.available:
        await route(session, outbox, now=now, timings=timings, partner_id=row.partner_id)


async def sign_out(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_ids: Iterable[str],
    now: datetime,
    timings: CallTimings,
) -> None:
    """The console lost its right to be there (its launch revoked, its partner disabled…): its
    calls in progress end and the agent goes offline, a call ringing there moving on."""
    for call_id in call_ids:
        await ending.hang_up(session, outbox, call_id=call_id, now=now, by="system")
    await set_presence(
        session, outbox, agent_id=agent_id, presence=Presence.offline, now=now, timings=timings
    )


async def agent_seen(session: AsyncSession, *, agent_id: int, now: datetime) -> None:
    await agents.seen(session, agent_id=agent_id, now=now)


async def expire_silent_agents(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> int:
    """Consoles silent past the grace period: their agents go offline."""
    gone = await agents.set_silent_offline(session, seen_before=now - timings.grace, now=now)
    for agent_id, offer_call_id in gone:
        if offer_call_id is not None:
            await ring_out(
                session, outbox, agent_id=agent_id, call_id=offer_call_id, now=now,
                timings=timings,
            )  # fmt: skip
        outbox.refresh_agent(agent_id)
    return len(gone)
