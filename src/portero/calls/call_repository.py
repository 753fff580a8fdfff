"""Statements on a call's row and its offers: joining the queue, the position in it, being
offered, answered, sent back, ended. Each change is one conditional UPDATE on the call's current
status that reports whether (and for whom) it matched; the services decide what a miss means.

Call ids come from the customer's own session, from an agent's console (for a call routed to
them), or from the clock's own selections; the clock serves every partner. Reads here are
therefore across partners by design (kit/tenancy.py), except a partner's own queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import transfer_repository as transfers
from portero.calls.models import (
    AGENT,
    CALL,
    OFFER,
    OPEN,
    QUEUED,
    CallStatus,
    OfferOutcome,
    Presence,
)
from portero.kit.db import AnyRow, matched
from portero.kit.tenancy import across_partners, for_partner

# The queue ------------------------------------------------------------------------------------


async def latest_of_launch(
    session: AsyncSession, *, partner_id: int, launch_id: str
) -> AnyRow | None:
    """The newest call a link of the partner started: its id, status, owner, agent and end."""
    query = (
        select(
            CALL.c.id,
            CALL.c.status,
            CALL.c.play_session_id,
            CALL.c.agent_id,
            CALL.c.ended_at,
            CALL.c.ended_by,
        )
        .where(CALL.c.launch_id == launch_id)
        .order_by(CALL.c.created_at.desc(), CALL.c.id.desc())
        .limit(1)
    )
    return (await session.execute(for_partner(query, CALL, partner_id))).one_or_none()


async def insert_call(
    session: AsyncSession, values: Mapping[str, Any], *, tolerate_conflict: bool
) -> bool:
    """A new call. With `tolerate_conflict`, a broken constraint (another tab of the same link
    opened a call at the same instant) writes nothing and answers False; otherwise it raises."""
    try:
        async with session.begin_nested():
            await session.execute(insert(CALL).values(**values))
    except IntegrityError:
        if not tolerate_conflict:
            raise
        return False
    return True


async def waiting(
    session: AsyncSession, *, now: datetime, partner_id: int | None, limit: int
) -> list[AnyRow]:
    """The oldest calls waiting for an agent (of one partner, or of all), with their targets."""
    query = (
        select(CALL.c.id, CALL.c.partner_id, CALL.c.target_agent_id, CALL.c.target_category_id)
        .where(CALL.c.status == CallStatus.waiting.value, CALL.c.give_up_at > now)
        .order_by(CALL.c.created_at, CALL.c.id)
        .limit(limit)
    )
    scoped = across_partners(query) if partner_id is None else for_partner(query, CALL, partner_id)
    return list((await session.execute(scoped)).all())


async def position(session: AsyncSession, call_id: str) -> int | None:
    """1 for the next customer to be offered, for calls in the queue; None otherwise.

    Counted within the call's own queue (the same agent, the same category, or "anyone"), in
    order of arrival: that is the order routing offers them in.
    """
    query = select(
        CALL.c.partner_id,
        CALL.c.status,
        CALL.c.created_at,
        CALL.c.target_agent_id,
        CALL.c.target_category_id,
    ).where(CALL.c.id == call_id)
    call = (await session.execute(across_partners(query))).one_or_none()
    if call is None or call.status not in QUEUED:
        return None
    ahead = (
        select(func.count())
        .select_from(CALL)
        .where(
            CALL.c.status.in_(QUEUED),
            CALL.c.target_agent_id.is_not_distinct_from(call.target_agent_id),
            CALL.c.target_category_id.is_not_distinct_from(call.target_category_id),
            or_(
                CALL.c.created_at < call.created_at,
                and_(CALL.c.created_at == call.created_at, CALL.c.id < call_id),
            ),
        )
    )
    return int(await session.scalar(for_partner(ahead, CALL, call.partner_id)) or 0) + 1


async def customer_seen(session: AsyncSession, *, call_id: str, now: datetime) -> None:
    await session.execute(
        update(CALL)
        .where(CALL.c.id == call_id, CALL.c.status.in_(OPEN))
        .values(customer_seen_at=now)
    )


async def status_of(session: AsyncSession, call_id: str) -> AnyRow | None:
    """The call's status, agent and partner."""
    query = select(CALL.c.status, CALL.c.agent_id, CALL.c.partner_id).where(CALL.c.id == call_id)
    return (await session.execute(across_partners(query))).one_or_none()


async def lock_status(session: AsyncSession, call_id: str) -> AnyRow | None:
    """The call's status, agent and partner, its row locked until the transaction ends (a
    transfer starting, so that the call's end waits for it or it sees the end)."""
    query = select(CALL.c.status, CALL.c.agent_id, CALL.c.partner_id).where(CALL.c.id == call_id)
    return (await session.execute(across_partners(query).with_for_update())).one_or_none()


# Offers ---------------------------------------------------------------------------------------


async def claim_for_offer(
    session: AsyncSession, *, call_id: str, agent_id: int, now: datetime, expires_at: datetime
) -> bool:
    """waiting → ringing on the agent, if still waiting."""
    claimed = await session.execute(
        update(CALL)
        .where(CALL.c.id == call_id, CALL.c.status == CallStatus.waiting.value)
        .values(
            status=CallStatus.ringing.value,
            agent_id=agent_id,
            offered_at=func.coalesce(CALL.c.offered_at, now),
            offer_expires_at=expires_at,
        )
    )
    return matched(claimed)


async def record_offer(
    session: AsyncSession, *, call_id: str, agent_id: int, now: datetime, expires_at: datetime
) -> None:
    await session.execute(
        insert(OFFER).values(
            call_id=call_id, agent_id=agent_id, offered_at=now, expires_at=expires_at
        )
    )


async def connect(
    session: AsyncSession, *, call_id: str, agent_id: int, now: datetime
) -> int | None:
    """ringing on the agent → connected; the call's partner, or None if it no longer rang."""
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
    return int(partner_id) if partner_id is not None else None


async def hand_over(
    session: AsyncSession, *, call_id: str, from_agent_id: int, to_agent_id: int
) -> int | None:
    """A call in progress with one agent goes on with another (a transfer accepted); the
    call's partner, or None if it was no longer in progress with the first."""
    handed = await session.execute(
        update(CALL)
        .where(
            CALL.c.id == call_id,
            CALL.c.agent_id == from_agent_id,
            CALL.c.status == CallStatus.connected.value,
        )
        .values(agent_id=to_agent_id)
        .returning(CALL.c.partner_id)
    )
    partner_id = handed.scalar_one_or_none()
    return int(partner_id) if partner_id is not None else None


async def back_to_queue(session: AsyncSession, *, call_id: str, agent_id: int) -> int | None:
    """ringing on the agent → waiting; the call's partner, or None if it no longer rang."""
    back = await session.execute(
        update(CALL)
        .where(
            CALL.c.id == call_id,
            CALL.c.agent_id == agent_id,
            CALL.c.status == CallStatus.ringing.value,
        )
        .values(status=CallStatus.waiting.value, agent_id=None, offer_expires_at=None)
        .returning(CALL.c.partner_id)
    )
    partner_id = back.scalar_one_or_none()
    return int(partner_id) if partner_id is not None else None


async def close_offer(
    session: AsyncSession, *, call_id: str, agent_id: int, outcome: OfferOutcome, now: datetime
) -> None:
    await session.execute(
        update(OFFER)
        .where(OFFER.c.call_id == call_id, OFFER.c.agent_id == agent_id, OFFER.c.outcome.is_(None))
        .values(outcome=outcome.value, answered_at=now)
    )


async def overdue_offers(session: AsyncSession, *, now: datetime) -> list[tuple[str, int]]:
    """Calls ringing past their offer's time: (call id, agent id)."""
    query = select(CALL.c.id, CALL.c.agent_id).where(
        CALL.c.status == CallStatus.ringing.value, CALL.c.offer_expires_at <= now
    )
    rows = (await session.execute(across_partners(query))).all()
    return [(str(call_id), int(agent_id)) for call_id, agent_id in rows]


# Endings --------------------------------------------------------------------------------------


async def end_unanswered(
    session: AsyncSession,
    *,
    call_id: str,
    outcome: CallStatus,
    now: datetime,
    by: str,
    give_up_by: datetime | None = None,
    silent_since: datetime | None = None,
) -> AnyRow | None:
    """waiting or ringing → `outcome`; with `give_up_by`, only a call still waiting whose time
    ran out by then; with `silent_since`, only a call whose page has been silent since then.
    Returns the partner and the agent it rang on, or None if nothing matched."""
    statement = update(CALL).where(CALL.c.id == call_id, CALL.c.status.in_(QUEUED))
    if give_up_by is not None:
        statement = statement.where(
            CALL.c.status == CallStatus.waiting.value, CALL.c.give_up_at <= give_up_by
        )
    if silent_since is not None:
        statement = statement.where(CALL.c.customer_seen_at <= silent_since)
    ended = await session.execute(
        statement.values(
            status=outcome.value, ended_at=now, ended_by=by, offer_expires_at=None
        ).returning(CALL.c.partner_id, CALL.c.agent_id, CALL.c.status)
    )
    return ended.one_or_none()


async def overdue_waiting(session: AsyncSession, *, now: datetime) -> list[str]:
    """Calls still waiting past their give-up time."""
    query = select(CALL.c.id).where(
        CALL.c.status == CallStatus.waiting.value, CALL.c.give_up_at <= now
    )
    return [str(call_id) for call_id in (await session.execute(across_partners(query))).scalars()]


async def silent_in_queue(session: AsyncSession, *, seen_before: datetime) -> list[str]:
    """Calls in the queue whose customer page has not been seen since `seen_before`."""
    query = select(CALL.c.id).where(
        CALL.c.status.in_(QUEUED), CALL.c.customer_seen_at <= seen_before
    )
    return [str(call_id) for call_id in (await session.execute(across_partners(query))).scalars()]


async def complete(
    session: AsyncSession, *, call_id: str, now: datetime, by: str, agent_id: int | None = None
) -> AnyRow | None:
    """connected (with `agent_id`, if given) → completed; its agent, launch and partner, or
    None if it was not connected (or is with another agent)."""
    statement = update(CALL).where(
        CALL.c.id == call_id, CALL.c.status == CallStatus.connected.value
    )
    if agent_id is not None:
        statement = statement.where(CALL.c.agent_id == agent_id)
    ended = await session.execute(
        statement.values(status=CallStatus.completed.value, ended_at=now, ended_by=by).returning(
            CALL.c.agent_id, CALL.c.launch_id, CALL.c.partner_id
        )
    )
    return ended.one_or_none()


async def silent_connected(session: AsyncSession, *, seen_before: datetime) -> list[str]:
    """Calls in progress whose customer page or agent console has not been seen since then."""
    query = (
        select(CALL.c.id)
        .join(AGENT, AGENT.c.id == CALL.c.agent_id)
        .where(
            CALL.c.status == CallStatus.connected.value,
            or_(CALL.c.customer_seen_at <= seen_before, AGENT.c.seen_at <= seen_before),
        )
    )
    return [str(call_id) for call_id in (await session.execute(across_partners(query))).scalars()]


# The clock's probe ------------------------------------------------------------------------------


async def clock_outlook(session: AsyncSession) -> AnyRow:
    """In one statement, what the clock's steps act on: the number of calls waiting, and the
    earliest instants each step keys on (None where there is none): an offer's end, a waiting
    call's give-up time, the oldest customer heartbeat of an open call, the oldest console
    heartbeat of an agent in a call, the oldest heartbeat of an agent not offline, a
    transfer's end.

    Both predicates are sent as literals, the very text of the partial indexes that serve them
    (`uq_call_open_launch`, `ix_call_agent_present`): PostgreSQL's generic plan of a prepared
    statement cannot prove that a parameter matches an index's predicate, and would scan the
    whole history of calls instead."""
    open_call = CALL.c.status.in_(bindparam("open", OPEN, expanding=True, literal_execute=True))
    present = (
        select(func.min(AGENT.c.seen_at))
        .where(AGENT.c.presence != literal(Presence.offline.value, literal_execute=True))
        .correlate(None)
        .scalar_subquery()
    )
    waiting = CALL.c.status == CallStatus.waiting.value
    ringing = CALL.c.status == CallStatus.ringing.value
    query = (
        select(
            func.count().filter(waiting).label("waiting"),
            func.min(CALL.c.offer_expires_at).filter(ringing).label("offer_ends"),
            func.min(CALL.c.give_up_at).filter(waiting).label("give_up"),
            func.min(CALL.c.customer_seen_at).label("customer_seen"),
            func.min(AGENT.c.seen_at)
            .filter(CALL.c.status == CallStatus.connected.value)
            .label("talking_agent_seen"),
            present.label("agent_seen"),
            transfers.earliest_ring_out().label("transfer_ends"),
        )
        .select_from(CALL.outerjoin(AGENT, AGENT.c.id == CALL.c.agent_id))
        .where(open_call)
    )
    return (await session.execute(across_partners(query))).one()


async def rate(
    session: AsyncSession,
    *,
    call_id: str,
    play_session_id: str,
    score: int,
    comment: str | None,
    now: datetime,
    ended_since: datetime,
) -> bool:
    """The customer's rating, kept if the call is completed, was made by that play session,
    ended since `ended_since` and has none yet (two at once: the second matches nothing)."""
    rated = await session.execute(
        update(CALL)
        .where(
            CALL.c.id == call_id,
            CALL.c.status == CallStatus.completed.value,
            CALL.c.satisfaction_score.is_(None),
            CALL.c.ended_at >= ended_since,
            or_(CALL.c.play_session_id.is_(None), CALL.c.play_session_id == play_session_id),
        )
        .values(satisfaction_score=score, satisfaction_comment=comment, rated_at=now)
    )
    return matched(rated)
