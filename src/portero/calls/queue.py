"""The customer's side: joining the queue from a call link, the position in it, leaving, and the
calls that end without an agent (missed, abandoned)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import call_repository as calls
from portero.calls import directory, ending, hours
from portero.calls.errors import CallTaken, NotACallSession
from portero.calls.events import call_event
from portero.calls.models import CLOSED, OPEN, QUEUED, CallStatus
from portero.calls.outbox import Outbox
from portero.calls.routing import route, withdraw_offer
from portero.calls.timings import CallTimings
from portero.kit.ids import new_id
from portero.launches.errors import CallInProgress, LinkUnusable
from portero.launches.opening import OpenedLaunch, PlayContext


async def join(
    session: AsyncSession,
    outbox: Outbox,
    context: PlayContext,
    *,
    now: datetime,
    timings: CallTimings,
    retry: bool = True,
) -> str:
    """The call of this link the customer's page belongs to: the open one if this play session
    started it (a reload, a duplicated tab; CallTaken otherwise), the completed one (the page
    says it has ended), the one the closed desk missed while it stays closed (a reload is not
    another request), or a new one in the queue."""
    if context.product != "call":
        raise NotACallSession()
    latest = await calls.latest_of_launch(
        session, partner_id=context.partner_id, launch_id=context.launch_id
    )
    if latest is not None and latest.status in (*OPEN, CallStatus.completed.value):
        if latest.status in OPEN:
            if latest.play_session_id not in (None, context.session_id):
                raise CallTaken()
            await customer_seen(session, call_id=latest.id, now=now)
        return str(latest.id)
    target_agent, target_category, exists = await _targets(session, context)
    answerable = exists and await _desk_open(session, context.partner_id, target_category, now)
    if latest is not None and latest.ended_by == CLOSED and exists and not answerable:
        return str(latest.id)
    call_id = new_id("call")
    values = _new_call(context, call_id, target_agent, target_category, now=now, timings=timings)
    if not exists:  # the link's agent or category was deleted: nobody can answer it
        values |= {"status": CallStatus.missed.value, "ended_at": now, "ended_by": "system"}
    elif not answerable:
        # Outside the desk's hours: recorded all the same (the desk's missed calls include
        # those), and its page offers a callback (calls/callbacks.py).
        values |= {"status": CallStatus.missed.value, "ended_at": now, "ended_by": CLOSED}
    if not await calls.insert_call(session, values, tolerate_conflict=retry):
        # Another tab of the same link joined at the same instant: join its call.
        return await join(session, outbox, context, now=now, timings=timings, retry=False)
    await call_event(
        session, partner_id=context.partner_id, call_id=call_id, event_type="call.requested"
    )
    if not answerable:
        await call_event(
            session, partner_id=context.partner_id, call_id=call_id, event_type="call.missed"
        )
    outbox.refresh_queue(context.partner_id)
    await route(session, outbox, now=now, timings=timings, partner_id=context.partner_id)
    return call_id


def _new_call(
    context: PlayContext,
    call_id: str,
    target_agent: int | None,
    target_category: int | None,
    *,
    now: datetime,
    timings: CallTimings,
) -> dict[str, Any]:
    """The row of a call joining the queue."""
    return {
        "id": call_id,
        "partner_id": context.partner_id,
        "launch_id": context.launch_id,
        "player_id": context.player_key,
        "play_session_id": context.session_id,
        "target_agent_id": target_agent,
        "target_category_id": target_category,
        "status": CallStatus.waiting.value,
        "tickets": list(context.params.get("tickets") or []),
        "created_at": now,
        "give_up_at": now + timings.wait,
        "customer_seen_at": now,
    }


async def _desk_open(
    session: AsyncSession, partner_id: int, category_id: int | None, now: datetime
) -> bool:
    opening_hours = await hours.for_call(session, partner_id=partner_id, category_id=category_id)
    return opening_hours is None or opening_hours.is_open(now)


async def refuse_taken_call(
    session: AsyncSession, opened: OpenedLaunch
) -> type[LinkUnusable] | None:
    """A call link opened again while its call is live: the browser that started the call owns
    it (a reload there keeps its play session and rejoins); a new opening is turned away."""
    latest = await calls.latest_of_launch(
        session, partner_id=opened.partner_id, launch_id=opened.launch_id
    )
    if latest is not None and latest.status in OPEN and latest.play_session_id is not None:
        return CallInProgress
    return None


async def _targets(
    session: AsyncSession, context: PlayContext
) -> tuple[int | None, int | None, bool]:
    """The link's agent or category (validated when the link was made), and whether it still
    exists: a call for one deleted since is missed rather than sent to someone else."""
    agent_code = context.params.get("agent_code")
    category_code = context.params.get("category_code")
    if agent_code:
        found = await directory.agent_id(session, partner_id=context.partner_id, code=agent_code)
        return found, None, found is not None
    if category_code:
        found = await directory.category_id(
            session, partner_id=context.partner_id, code=category_code
        )
        return None, found, found is not None
    return None, None, True


async def customer_seen(session: AsyncSession, *, call_id: str, now: datetime) -> None:
    await calls.customer_seen(session, call_id=call_id, now=now)


async def is_over(session: AsyncSession, *, call_id: str) -> bool:
    row = await calls.status_of(session, call_id)
    return row is not None and row.status not in OPEN


async def leave(
    session: AsyncSession, outbox: Outbox, *, call_id: str, now: datetime, by: str = "customer"
) -> None:
    """The customer hangs up: before an answer the call is abandoned, after it completed."""
    row = await calls.status_of(session, call_id)
    if row is None:
        return
    if row.status == CallStatus.connected.value:
        await ending.hang_up(session, outbox, call_id=call_id, now=now, by=by)
        return
    if row.status in QUEUED:
        await _end_unanswered(session, outbox, call_id, CallStatus.abandoned, now=now, by=by)


async def _end_unanswered(
    session: AsyncSession,
    outbox: Outbox,
    call_id: str,
    outcome: CallStatus,
    *,
    now: datetime,
    by: str,
    give_up_by: datetime | None = None,
    silent_since: datetime | None = None,
) -> bool:
    ended = await calls.end_unanswered(
        session,
        call_id=call_id,
        outcome=outcome,
        now=now,
        by=by,
        give_up_by=give_up_by,
        silent_since=silent_since,
    )
    if ended is None:
        return False
    if ended.agent_id is not None:  # it was ringing: stop the console ringing
        await withdraw_offer(session, outbox, call_id=call_id, agent_id=ended.agent_id, now=now)
    event_type = "call.missed" if outcome is CallStatus.missed else "call.ended"
    await call_event(session, partner_id=ended.partner_id, call_id=call_id, event_type=event_type)
    outbox.refresh_call(call_id)
    outbox.refresh_queue(ended.partner_id)
    return True


async def give_up_overdue(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> tuple[int, int]:
    """Calls nobody answered in time are missed (a ringing one rings on until its offer ends);
    calls whose page has been silent past the grace period are abandoned. Returns the counts."""
    missed = abandoned = 0
    for call_id in await calls.overdue_waiting(session, now=now):
        if await _end_unanswered(
            session, outbox, call_id, CallStatus.missed, now=now, by="system", give_up_by=now
        ):
            missed += 1
    silent_since = now - timings.grace
    for call_id in await calls.silent_in_queue(session, seen_before=silent_since):
        if await _end_unanswered(
            session,
            outbox,
            call_id,
            CallStatus.abandoned,
            now=now,
            by="system",
            silent_since=silent_since,
        ):
            abandoned += 1
    return missed, abandoned
