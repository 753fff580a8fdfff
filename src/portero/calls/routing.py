"""Offering waiting calls to agents, and what agents answer.

Every decision is a conditional UPDATE of the agent's row followed by one of the call's row, in
that order everywhere (no lock cycles between servers): the agent is claimed only if still
available with no offer ringing and room for another call, the call only if still waiting. Of two
servers racing for one agent or one call, exactly one sees its UPDATE match; the other moves on.
Chatwoot claims rows with `FOR UPDATE SKIP LOCKED` to the same end; conditional UPDATEs also work
on SQLite, which serialises writers anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.errors import OfferGone
from portero.calls.models import (
    Call,
    CallAgent,
    CallOffer,
    CallStatus,
    OfferOutcome,
    Presence,
    agent_category,
)
from portero.calls.outbox import Outbox
from portero.calls.timings import CallTimings

AGENT = cast(Table, CallAgent.__table__)
CALL = cast(Table, Call.__table__)
OFFER = cast(Table, CallOffer.__table__)
_CANDIDATES_PER_CALL = 5


def _can_take_an_offer(now: datetime, timings: CallTimings) -> Any:
    return and_(
        AGENT.c.presence == Presence.available.value,
        AGENT.c.seen_at > now - timings.grace,
        AGENT.c.offer_call_id.is_(None),
        AGENT.c.active_calls < AGENT.c.capacity,
    )


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
    query = (
        select(CALL.c.id, CALL.c.partner_id, CALL.c.target_agent_id, CALL.c.target_category_id)
        .where(CALL.c.status == CallStatus.waiting.value, CALL.c.give_up_at > now)
        .order_by(CALL.c.created_at, CALL.c.id)
        .limit(limit)
    )
    if partner_id is not None:
        query = query.where(CALL.c.partner_id == partner_id)
    offers = 0
    for call in (await session.execute(query)).all():
        for agent_id in await _candidates(session, call, now=now, timings=timings):
            if await _offer(session, outbox, call, agent_id, now=now, timings=timings):
                offers += 1
                break
    return offers


async def _candidates(
    session: AsyncSession, call: Any, *, now: datetime, timings: CallTimings
) -> list[int]:
    """Free agents who may take the call, longest idle first, without those it already rang."""
    already_rang = exists().where(OFFER.c.call_id == call.id, OFFER.c.agent_id == AGENT.c.id)
    query = select(AGENT.c.id).where(
        AGENT.c.partner_id == call.partner_id,
        _can_take_an_offer(now, timings),
        ~already_rang,
    )
    if call.target_agent_id is not None:
        query = query.where(AGENT.c.id == call.target_agent_id)
    elif call.target_category_id is not None:
        serves = exists().where(
            agent_category.c.agent_id == AGENT.c.id,
            agent_category.c.category_id == call.target_category_id,
        )
        query = query.where(serves)
    query = query.order_by(func.coalesce(AGENT.c.idle_since, AGENT.c.created_at), AGENT.c.id).limit(
        _CANDIDATES_PER_CALL
    )
    return list((await session.execute(query)).scalars())


async def _offer(
    session: AsyncSession,
    outbox: Outbox,
    call: Any,
    agent_id: int,
    *,
    now: datetime,
    timings: CallTimings,
) -> bool:
    claimed_agent = await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, _can_take_an_offer(now, timings))
        .values(offer_call_id=call.id)
    )
    if not _changed(claimed_agent):
        return False
    claimed_call = await session.execute(
        update(CALL)
        .where(CALL.c.id == call.id, CALL.c.status == CallStatus.waiting.value)
        .values(
            status=CallStatus.ringing.value,
            agent_id=agent_id,
            offered_at=func.coalesce(CALL.c.offered_at, now),
            offer_expires_at=now + timings.offer,
        )
    )
    if not _changed(claimed_call):
        # Another server routed (or the customer left) since we read the queue: hand the agent
        # back. We hold the agent's row, so nobody saw the claim.
        await session.execute(
            update(AGENT)
            .where(AGENT.c.id == agent_id, AGENT.c.offer_call_id == call.id)
            .values(offer_call_id=None)
        )
        return False
    await session.execute(
        insert(OFFER).values(
            call_id=call.id, agent_id=agent_id, offered_at=now, expires_at=now + timings.offer
        )
    )
    outbox.refresh_agent(agent_id)
    outbox.refresh_call(call.id)
    outbox.refresh_queue(call.partner_id)
    return True


async def accept(
    session: AsyncSession, outbox: Outbox, *, agent_id: int, call_id: str, now: datetime
) -> None:
    """The agent answers the call ringing on their console: it is connected."""
    taken = await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, AGENT.c.offer_call_id == call_id)
        .values(offer_call_id=None, active_calls=AGENT.c.active_calls + 1)
    )
    if not _changed(taken):
        raise OfferGone()
    connected = await session.execute(
        update(CALL)
        .where(
            CALL.c.id == call_id,
            CALL.c.agent_id == agent_id,
            CALL.c.status == CallStatus.ringing.value,
        )
        .values(status=CallStatus.connected.value, answered_at=now, offer_expires_at=None)
        .returning(CALL.c.partner_id)
    )
    partner_id = connected.scalar_one_or_none()
    if partner_id is None:  # the customer left in the same instant: nothing to answer
        raise OfferGone()
    await _close_offer(session, call_id, agent_id, OfferOutcome.accepted, now)
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
    released = await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, AGENT.c.offer_call_id == call_id)
        .values(offer_call_id=None)
    )
    if not _changed(released):
        raise OfferGone()
    back = await session.execute(
        update(CALL)
        .where(
            CALL.c.id == call_id,
            CALL.c.agent_id == agent_id,
            CALL.c.status == CallStatus.ringing.value,
        )
        .values(
            status=CallStatus.waiting.value,
            agent_id=None,
            offer_expires_at=None,
        )
        .returning(CALL.c.partner_id)
    )
    partner_id = back.scalar_one_or_none()
    await _close_offer(session, call_id, agent_id, outcome, now)
    outbox.refresh_agent(agent_id)
    outbox.refresh_call(call_id)
    if partner_id is not None:
        outbox.refresh_queue(partner_id)
        await route(session, outbox, now=now, timings=timings, partner_id=partner_id)


async def expire_offers(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> int:
    """Offers nobody answered in time go to the next agent."""
    overdue = (
        await session.execute(
            select(CALL.c.id, CALL.c.agent_id).where(
                CALL.c.status == CallStatus.ringing.value, CALL.c.offer_expires_at <= now
            )
        )
    ).all()
    expired = 0
    for call_id, agent_id in overdue:
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
    await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, AGENT.c.offer_call_id == call_id)
        .values(offer_call_id=None)
    )
    await _close_offer(session, call_id, agent_id, OfferOutcome.withdrawn, now)
    outbox.refresh_agent(agent_id)


async def _close_offer(
    session: AsyncSession, call_id: str, agent_id: int, outcome: OfferOutcome, now: datetime
) -> None:
    await session.execute(
        update(OFFER)
        .where(OFFER.c.call_id == call_id, OFFER.c.agent_id == agent_id, OFFER.c.outcome.is_(None))
        .values(outcome=outcome.value, answered_at=now)
    )


def _changed(result: Any) -> bool:
    return bool(getattr(result, "rowcount", 0))
