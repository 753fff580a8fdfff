"""The end of a call in progress: hung up by either side, or dropped when one side went silent.

The call's link ends with it: opening it again shows that the call has ended.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import CallStatus
from portero.calls.outbox import Outbox
from portero.calls.routing import AGENT, CALL
from portero.calls.timings import CallTimings
from portero.launches import repository as launches
from portero.launches.models import LaunchStatus


async def hang_up(
    session: AsyncSession, outbox: Outbox, *, call_id: str, now: datetime, by: str
) -> bool:
    """connected → completed; False if the call was not in progress (already ended)."""
    ended = (
        await session.execute(
            update(CALL)
            .where(CALL.c.id == call_id, CALL.c.status == CallStatus.connected.value)
            .values(status=CallStatus.completed.value, ended_at=now, ended_by=by)
            .returning(CALL.c.agent_id, CALL.c.launch_id, CALL.c.partner_id)
        )
    ).one_or_none()
    if ended is None:
        return False
    if ended.agent_id is not None:
        await session.execute(
            update(AGENT)
            .where(AGENT.c.id == ended.agent_id)
            .values(active_calls=AGENT.c.active_calls - 1, idle_since=now)
        )
        outbox.refresh_agent(ended.agent_id)
    await launches.set_status(
        session,
        launch_id=ended.launch_id,
        status=LaunchStatus.ended,
        now=now,
        from_statuses=(LaunchStatus.opened,),
    )
    await launches.end_sessions_of(session, launch_id=ended.launch_id, now=now)
    outbox.refresh_call(call_id)
    return True


async def drop_silent(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> int:
    """Calls in progress whose customer page or agent console has been silent past the grace
    period (a closed tab, a lost network) end, so that the agent is free again."""
    cut = now - timings.grace
    silent = (
        await session.execute(
            select(CALL.c.id)
            .join(AGENT, AGENT.c.id == CALL.c.agent_id)
            .where(
                CALL.c.status == CallStatus.connected.value,
                or_(CALL.c.customer_seen_at <= cut, AGENT.c.seen_at <= cut),
            )
        )
    ).scalars()
    dropped = 0
    for call_id in list(silent):
        if await hang_up(session, outbox, call_id=call_id, now=now, by="system"):
            dropped += 1
    return dropped
