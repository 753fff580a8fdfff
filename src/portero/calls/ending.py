"""The end of a call in progress: hung up by either side, or dropped when one side went silent.

The call's link ends with it: opening it again shows that the call has ended.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import agent_repository as agents
from portero.calls import call_repository as calls
from portero.calls import transfers
from portero.calls.events import call_event
from portero.calls.outbox import Outbox
from portero.calls.timings import CallTimings
from portero.launches.opening import end_launch


async def hang_up(
    session: AsyncSession,
    outbox: Outbox,
    *,
    call_id: str,
    now: datetime,
    by: str,
    agent_id: int | None = None,
) -> bool:
    """connected → completed (a transfer ringing for it stops); False if the call was not in
    progress (already ended)."""
    # An agent hangs up only a call still theirs: one just handed over to another agent
    # (a transfer accepted, its news not yet on this console) goes on.
    ended = await calls.complete(session, call_id=call_id, now=now, by=by, agent_id=agent_id)
    if ended is None:
        return False
    if ended.agent_id is not None:
        await agents.call_finished(session, agent_id=ended.agent_id, now=now)
        outbox.refresh_agent(ended.agent_id)
    await transfers.withdraw(session, outbox, call_id=call_id, now=now)
    await end_launch(session, launch_id=ended.launch_id, now=now)
    await call_event(session, partner_id=ended.partner_id, call_id=call_id, event_type="call.ended")
    outbox.refresh_call(call_id)
    return True


async def drop_silent(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> int:
    """Calls in progress whose customer page or agent console has been silent past the grace
    period (a closed tab, a lost network) end, so that the agent is free again."""
    dropped = 0
    for call_id in await calls.silent_connected(session, seen_before=now - timings.grace):
        if await hang_up(session, outbox, call_id=call_id, now=now, by="system"):
            dropped += 1
    return dropped
