"""Offering waiting calls to agents, and what agents answer.

Every decision here is a conditional UPDATE of the agent's row followed by one of the call's
row, in that order (so that servers routing at once never wait on each other in a cycle): the
agent is claimed only if still available with no offer ringing and room for another call, the
call only if still waiting. Of two servers racing for one agent or one call, exactly one sees
its UPDATE match; the other moves on. (The customer's side, queue.py, ends a ringing call's row
before releasing the agent's offer: see DEVELOPERS.md, "The call product".)
Chatwoot claims rows with `FOR UPDATE SKIP LOCKED` to the same end; conditional UPDATEs also work
on SQLite, which serialises writers anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import agent_repository as agents
from portero.calls import call_repository as calls
from portero.calls.errors import OfferGone
from portero.calls.events import call_event
from portero.calls.models import OfferOutcome
from portero.calls.outbox import Outbox
from portero.calls.timings import CallTimings

_CANDIDATES_PER_CALL = 5


async def route(
    session: AsyncSession,
    outbox: Outbox,
    *,
    now: datetime,
    timings: CallTimings,
    partner_id: int | None = None,
    limit: int = 100,
) -> int:
    """Offer the oldest waiting calls to free agents; returns how many offers were made."""
    offers = 0
    for call in await calls.waiting(session, now=now, partner_id=partner_id, limit=limit):
        candidates = await agents.free_agents(
            session,
            partner_id=call.partner_id,
            call_id=call.id,
            agent_id=call.target_agent_id,
            category_id=call.target_category_id,
            now=now,
            grace=timings.grace,
            limit=_CANDIDATES_PER_CALL,
        )
        for agent_id in candidates:
            if await _offer(session, outbox, call, agent_id, now=now, timings=timings):
                offers += 1
                break
    return offers


async def _offer(
    session: AsyncSession,
    outbox: Outbox,
    call: Any,
    agent_id: int,
    *,
    now: datetime,
    timings: CallTimings,
) -> bool:
    if not await agents.claim_for_offer(
        session, agent_id=agent_id, call_id=call.id, now=now, grace=timings.grace
    ):
        return False
    expires_at = now + timings.offer
    if not await calls.claim_for_offer(
        session, call_id=call.id, agent_id=agent_id, now=now, expires_at=expires_at
    ):
        # Another server routed (or the customer left) since we read the queue: hand the agent
        # back. We hold the agent's row, so nobody saw the claim.
        await agents.release_offer(session, agent_id=agent_id, call_id=call.id)
        return False
    await calls.record_offer(
        session, call_id=call.id, agent_id=agent_id, now=now, expires_at=expires_at
    )
    outbox.refresh_agent(agent_id)
    outbox.refresh_call(call.id)
    outbox.refresh_queue(call.partner_id)
    return True


async def accept(
    session: AsyncSession, outbox: Outbox, *, agent_id: int, call_id: str, now: datetime
) -> None:
    """The agent answers the call ringing on their console: it is connected."""
    if not await agents.answer_offer(session, agent_id=agent_id, call_id=call_id):
        raise OfferGone()
    partner_id = await calls.connect(session, call_id=call_id, agent_id=agent_id, now=now)
    if partner_id is None:  # the customer left in the same instant: nothing to answer
        raise OfferGone()
    await calls.close_offer(
        session, call_id=call_id, agent_id=agent_id, outcome=OfferOutcome.accepted, now=now
    )
    await call_event(session, partner_id=partner_id, call_id=call_id, event_type="call.answered")
    outbox.refresh_agent(agent_id)
    outbox.refresh_call(call_id)
    outbox.refresh_queue(partner_id)


async def decline(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_id: str,
    now: datetime,
    timings: CallTimings,
    outcome: OfferOutcome = OfferOutcome.rejected,
) -> None:
    """The offer stops ringing on this agent (rejected, unanswered, agent gone): the call goes
    back to the queue, and on to the next agent, unless its waiting time is over."""
    if not await agents.release_offer(session, agent_id=agent_id, call_id=call_id):
        raise OfferGone()
    partner_id = await calls.back_to_queue(session, call_id=call_id, agent_id=agent_id)
    await calls.close_offer(session, call_id=call_id, agent_id=agent_id, outcome=outcome, now=now)
    outbox.refresh_agent(agent_id)
    outbox.refresh_call(call_id)
    if partner_id is not None:
        outbox.refresh_queue(partner_id)
        await route(session, outbox, now=now, timings=timings, partner_id=partner_id)


async def expire_offers(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> int:
    """Offers nobody answered in time go to the next agent."""
    expired = 0
    for call_id, agent_id in await calls.overdue_offers(session, now=now):
        if await ring_out(
            session, outbox, agent_id=agent_id, call_id=call_id, now=now, timings=timings
        ):
            expired += 1
    return expired


async def ring_out(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_id: str,
    now: datetime,
    timings: CallTimings,
) -> bool:
    """An offer ends unanswered (its time is up, or its agent went away); False if it had
    already been answered or moved on, on this server or another."""
    try:
        await decline(
            session,
            outbox,
            agent_id=agent_id,
            call_id=call_id,
            now=now,
            timings=timings,
            outcome=OfferOutcome.timeout,
        )
    except OfferGone:
        return False
    return True


async def withdraw_offer(
    session: AsyncSession, outbox: Outbox, *, call_id: str, agent_id: int, now: datetime
) -> None:
    """The customer left while the call rang: the agent's console stops ringing."""
    await agents.release_offer(session, agent_id=agent_id, call_id=call_id)
    await calls.close_offer(
        session, call_id=call_id, agent_id=agent_id, outcome=OfferOutcome.withdrawn, now=now
    )
    outbox.refresh_agent(agent_id)
