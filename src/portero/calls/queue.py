"""The customer's side: joining the queue from a call link, the position in it, leaving, and the
calls that end without an agent (missed, abandoned)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import ending
from portero.calls.errors import NotACallSession
from portero.calls.models import OPEN_STATUSES, QUEUED_STATUSES, CallCategory, CallStatus
from portero.calls.outbox import Outbox
from portero.calls.routing import AGENT, CALL, route, withdraw_offer
from portero.calls.timings import CallTimings
from portero.kit.ids import new_id
from portero.launches.opening import PlayContext

_OPEN = [s.value for s in OPEN_STATUSES]
_QUEUED = [s.value for s in QUEUED_STATUSES]


async def join(
    session: AsyncSession,
    outbox: Outbox,
    context: PlayContext,
    *,
    now: datetime,
    timings: CallTimings,
    retry: bool = True,
) -> str:
    """The call of this link the customer's page belongs to: the open one (a reload, a second
    tab), the completed one (the page says it has ended), or a new one in the queue."""
    if context.product != "call":
        raise NotACallSession()
    latest = (
        await session.execute(
            select(CALL.c.id, CALL.c.status)
            .where(CALL.c.launch_id == context.launch_id)
            .order_by(CALL.c.created_at.desc(), CALL.c.id.desc())
            .limit(1)
        )
    ).one_or_none()
    if latest is not None and latest.status in (*_OPEN, CallStatus.completed.value):
        if latest.status in _OPEN:
            await customer_seen(session, call_id=latest.id, now=now)
        return str(latest.id)
    target_agent, target_category, exists = await _targets(session, context)
    call_id = new_id("call")
    values = {
        "id": call_id,
        "partner_id": context.partner_id,
        "launch_id": context.launch_id,
        "player_id": context.player_key,
        "target_agent_id": target_agent,
        "target_category_id": target_category,
        "status": CallStatus.waiting.value,
        "tickets": list(context.params.get("tickets") or []),
        "created_at": now,
        "give_up_at": now + timings.wait,
        "customer_seen_at": now,
    }
    if not exists:  # the link's agent or category was deleted: nobody can answer it
        values |= {"status": CallStatus.missed.value, "ended_at": now, "ended_by": "system"}
    try:
        async with session.begin_nested():
            await session.execute(insert(CALL).values(**values))
    except IntegrityError:
        if not retry:
            raise
        # Another tab of the same link joined at the same instant: join its call.
        return await join(session, outbox, context, now=now, timings=timings, retry=False)
    outbox.refresh_queue(context.partner_id)
    await route(session, outbox, now=now, timings=timings, partner_id=context.partner_id)
    return call_id


async def _targets(
    session: AsyncSession, context: PlayContext
) -> tuple[int | None, int | None, bool]:
    """The link's agent or category (validated when the link was made), and whether it still
    exists: a call for one deleted since is missed rather than sent to someone else."""
    agent_code = context.params.get("agent_code")
    category_code = context.params.get("category_code")
    if agent_code:
        found = await session.scalar(
            select(AGENT.c.id).where(
                AGENT.c.partner_id == context.partner_id, AGENT.c.code == agent_code.lower()
            )
        )
        return found, None, found is not None
    if category_code:
        found = await session.scalar(
            select(CallCategory.id).where(
                CallCategory.partner_id == context.partner_id,
                CallCategory.code == category_code.lower(),
            )
        )
        return None, found, found is not None
    return None, None, True


async def position(session: AsyncSession, call_id: str) -> int | None:
    """1 for the next customer to be offered, for calls in the queue; None otherwise.

    Counted within the call's own queue (the same agent, the same category, or "anyone"), in
    order of arrival: that is the order routing offers them in.
    """
    call = (
        await session.execute(
            select(
                CALL.c.partner_id,
                CALL.c.status,
                CALL.c.created_at,
                CALL.c.target_agent_id,
                CALL.c.target_category_id,
            ).where(CALL.c.id == call_id)
        )
    ).one_or_none()
    if call is None or call.status not in _QUEUED:
        return None
    ahead = await session.scalar(
        select(func.count())
        .select_from(CALL)
        .where(
            CALL.c.partner_id == call.partner_id,
            CALL.c.status.in_(_QUEUED),
            CALL.c.target_agent_id.is_not_distinct_from(call.target_agent_id),
            CALL.c.target_category_id.is_not_distinct_from(call.target_category_id),
            or_(
                CALL.c.created_at < call.created_at,
                and_(CALL.c.created_at == call.created_at, CALL.c.id < call_id),
            ),
        )
    )
    return int(ahead or 0) + 1


async def customer_seen(session: AsyncSession, *, call_id: str, now: datetime) -> None:
    await session.execute(
        update(CALL)
        .where(CALL.c.id == call_id, CALL.c.status.in_(_OPEN))
        .values(customer_seen_at=now)
    )


async def leave(
    session: AsyncSession, outbox: Outbox, *, call_id: str, now: datetime, by: str = "customer"
) -> None:
    """The customer hangs up: before an answer the call is abandoned, after it completed."""
    row = (
        await session.execute(
            select(CALL.c.status, CALL.c.agent_id, CALL.c.partner_id).where(CALL.c.id == call_id)
        )
    ).one_or_none()
    if row is None:
        return
    if row.status == CallStatus.connected.value:
        await ending.hang_up(session, outbox, call_id=call_id, now=now, by=by)
        return
    if row.status in _QUEUED:
        await _end_unanswered(session, outbox, call_id, CallStatus.abandoned, now=now, by=by)


async def _end_unanswered(
    session: AsyncSession,
    outbox: Outbox,
    call_id: str,
    outcome: CallStatus,
    *,
    now: datetime,
    by: str,
    only_if: Any = None,
) -> bool:
    statement = (
        update(CALL)
        .where(CALL.c.id == call_id, CALL.c.status.in_(_QUEUED))
        .values(status=outcome.value, ended_at=now, ended_by=by, offer_expires_at=None)
        .returning(CALL.c.partner_id, CALL.c.agent_id, CALL.c.status)
    )
    if only_if is not None:
        statement = statement.where(only_if)
    ended = (await session.execute(statement)).one_or_none()
    if ended is None:
        return False
    if ended.agent_id is not None:  # it was ringing: stop the console ringing
        await withdraw_offer(session, outbox, call_id=call_id, agent_id=ended.agent_id, now=now)
    outbox.refresh_call(call_id)
    outbox.refresh_queue(ended.partner_id)
    return True


async def give_up_overdue(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> tuple[int, int]:
    """Calls nobody answered in time are missed (a ringing one rings on until its offer ends);
    calls whose page has been silent past the grace period are abandoned. Returns the counts."""
    missed = abandoned = 0
    overdue = (
        await session.execute(
            select(CALL.c.id).where(
                CALL.c.status == CallStatus.waiting.value, CALL.c.give_up_at <= now
            )
        )
    ).scalars()
    for call_id in list(overdue):
        if await _end_unanswered(
            session,
            outbox,
            call_id,
            CallStatus.missed,
            now=now,
            by="system",
            only_if=and_(CALL.c.status == CallStatus.waiting.value, CALL.c.give_up_at <= now),
        ):
            missed += 1
    silent = (
        await session.execute(
            select(CALL.c.id).where(
                CALL.c.status.in_(_QUEUED), CALL.c.customer_seen_at <= now - timings.grace
            )
        )
    ).scalars()
    for call_id in list(silent):
        if await _end_unanswered(
            session,
            outbox,
            call_id,
            CallStatus.abandoned,
            now=now,
            by="system",
            only_if=CALL.c.customer_seen_at <= now - timings.grace,
        ):
            abandoned += 1
    return missed, abandoned
