"""Transfers: an agent hands a call in progress over to another agent, or to a category, with a
note (docs/products/calls.md, "Transfers").

A transfer rings on one agent, claimed as routing claims an agent for a waiting call (the same
conditional UPDATE of the agent's row: available, seen, no offer ringing, room for a call), so
two servers transferring to one agent at once ring it once. While it rings the first agent
stays on the call. On accept, in one transaction, the target's offer becomes one of its calls,
the call's row names the new agent, the first agent has one call fewer and the transfer is
closed: the customer's page, told by its call's channel, takes the new agent's offer (a new
peer connection; its chat stays). On reject, timeout or the target going away, only the
target's offer and the transfer change: the first agent keeps the call and its console says
so. A call that ends while a transfer rings withdraws it.

Starting a transfer locks the call's row before it claims the target, so the call's end waits
for it (and withdraws what it made) or comes first (and the transfer is refused). Accepting
takes the rows in the order routing takes them, the agents' before the call's: the target's,
the call's, the first agent's. The call's end (calls/ending.py) takes the call's row first and
the target's after it, so a hang-up at the very instant of an accept may deadlock on
PostgreSQL, like a customer leaving as an agent answers; so may two agents each accepting the
other's transfer at the same instant. One of the two is rolled back, and its socket's page
retries (DEVELOPERS.md, "The call product").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import agent_repository as agents
from portero.calls import call_repository as calls
from portero.calls import directory, directory_repository, routing
from portero.calls import transfer_repository as repository
from portero.calls.errors import (
    AgentNotFound,
    CallNotActive,
    CategoryNotFound,
    OfferGone,
    TransferPending,
    TransferUnavailable,
)
from portero.calls.events import call_event
from portero.calls.models import CallStatus, OfferOutcome, Presence, TransferStatus
from portero.calls.outbox import Outbox
from portero.calls.timings import CallTimings
from portero.kit.ids import new_id

MAX_NOTE = 500
_CANDIDATES = 5
_DIRECTORY_LIMIT = 200
# What an offer's end is called for a call ringing (routing) and for a transfer.
_OUTCOMES = {
    OfferOutcome.rejected: TransferStatus.rejected,
    OfferOutcome.timeout: TransferStatus.timeout,
}


async def start(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_id: str,
    to_agent: str | None,
    to_category: str | None,
    note: str | None,
    now: datetime,
    timings: CallTimings,
) -> str:
    """The agent's call rings on the target agent, or on the longest idle free agent of the
    target category; the transfer's id. TransferUnavailable when nobody can take it now."""
    # The call's row first: a hang-up at the same instant waits for this transaction (and
    # withdraws the transfer it made), or ends the call before this one reads it.
    call = await calls.lock_status(session, call_id)
    if call is None or call.status != CallStatus.connected.value or call.agent_id != agent_id:
        raise CallNotActive()
    if await repository.ringing_of(session, call_id) is not None:
        raise TransferPending()
    target_agent, target_category = await _target(
        session, call.partner_id, to_agent=to_agent, to_category=to_category
    )
    if target_agent == agent_id:
        raise TransferUnavailable("You are on this call already.")
    candidates = await agents.free_for_transfer(
        session,
        partner_id=call.partner_id,
        agent_id=target_agent,
        category_id=target_category,
        besides=agent_id,
        now=now,
        grace=timings.grace,
        limit=_CANDIDATES,
    )
    for candidate in candidates:
        transfer_id = await _ring(
            session, call_id=call_id, agent_id=candidate, now=now, timings=timings,
            values={
                "call_id": call_id, "from_agent_id": agent_id, "to_agent_id": target_agent,
                "to_category_id": target_category, "note": (note or "").strip() or None,
            },
        )  # fmt: skip
        if transfer_id is not None:
            await call_event(
                session, partner_id=call.partner_id, call_id=call_id,
                event_type="call.transfer_requested",
            )  # fmt: skip
            outbox.refresh_agent(candidate)
            outbox.refresh_agent(agent_id)
            return transfer_id
    raise TransferUnavailable()


async def _ring(
    session: AsyncSession,
    *,
    call_id: str,
    agent_id: int,
    now: datetime,
    timings: CallTimings,
    values: dict[str, Any],
) -> str | None:
    """The transfer rings on the agent, if the agent is still free: its id (None if not)."""
    if not await agents.claim_for_offer(
        session, agent_id=agent_id, call_id=call_id, now=now, grace=timings.grace
    ):
        return None
    transfer_id = new_id("ctr")
    ringing = values | {
        "id": transfer_id,
        "offered_agent_id": agent_id,
        "created_at": now,
        "expires_at": now + timings.offer,
    }
    if not await repository.insert_ringing(session, ringing):
        raise TransferPending()  # the claim rolls back with the transaction
    return transfer_id


async def targets(
    session: AsyncSession, *, partner_id: int, agent_id: int, now: datetime, timings: CallTimings
) -> dict[str, Any]:
    """The console's `directory` message: the agents it may transfer to (whether each could
    take a call now) and the categories."""
    found_agents, found_categories = await directory_repository.transfer_targets(
        session, partner_id=partner_id, limit=_DIRECTORY_LIMIT
    )
    return {
        "type": "directory",
        "agents": [
            {
                "code": row.code,
                "name": row.name,
                "presence": row.presence,
                "free": _is_free(row, now=now, timings=timings),
            }
            for row in found_agents
            if row.id != agent_id
        ],
        "categories": [{"code": row.code, "name": row.name} for row in found_categories],
    }


def _is_free(row: Any, *, now: datetime, timings: CallTimings) -> bool:
    """As routing's claim reads it (agent_repository._can_take_an_offer)."""
    return (
        row.presence == Presence.available.value
        and row.seen_at is not None
        and row.seen_at > now - timings.grace
        and row.offer_call_id is None
        and row.active_calls < row.capacity
    )


async def _target(
    session: AsyncSession, partner_id: int, *, to_agent: str | None, to_category: str | None
) -> tuple[int | None, int | None]:
    if to_agent is not None:
        found = await directory.agent_id(session, partner_id=partner_id, code=to_agent.lower())
        if found is None:
            raise AgentNotFound()
        return found, None
    category = await directory.category_id(session, partner_id=partner_id, code=str(to_category))
    if category is None:
        raise CategoryNotFound()
    return None, category


async def accept(
    session: AsyncSession, outbox: Outbox, *, agent_id: int, call_id: str, now: datetime
) -> None:
    """The target takes the call over: its leg begins, the first agent's ends."""
    transfer = await repository.ringing_on(session, call_id=call_id, agent_id=agent_id)
    if transfer is None or not await agents.answer_offer(
        session, agent_id=agent_id, call_id=call_id
    ):
        raise OfferGone()
    from_agent = int(transfer.from_agent_id)
    partner_id = await calls.hand_over(
        session, call_id=call_id, from_agent_id=from_agent, to_agent_id=agent_id
    )
    if partner_id is None:  # the call ended in the same instant: nothing to take over
        raise OfferGone()
    await agents.call_finished(session, agent_id=from_agent, now=now)
    await repository.close(
        session, transfer_id=transfer.id, status=TransferStatus.accepted, now=now
    )
    await call_event(session, partner_id=partner_id, call_id=call_id, event_type="call.transferred")
    outbox.refresh_agent(agent_id)
    outbox.refresh_agent(from_agent)
    outbox.refresh_call(call_id)


async def decline(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_id: str,
    now: datetime,
    timings: CallTimings,
    status: TransferStatus = TransferStatus.rejected,
) -> None:
    """The transfer stops ringing on the target (rejected, unanswered, the target gone): the
    first agent keeps the call, and its console says so."""
    transfer = await repository.ringing_on(session, call_id=call_id, agent_id=agent_id)
    if transfer is None or not await agents.release_offer(
        session, agent_id=agent_id, call_id=call_id
    ):
        raise OfferGone()
    await repository.close(session, transfer_id=transfer.id, status=status, now=now)
    outbox.refresh_agent(agent_id)
    if transfer.from_agent_id is not None:
        outbox.refresh_agent(int(transfer.from_agent_id))
    call = await calls.status_of(session, call_id)
    if call is not None:
        await call_event(
            session, partner_id=call.partner_id, call_id=call_id,
            event_type="call.transfer_failed",
        )  # fmt: skip
        # The target may take one of the partner's waiting calls now.
        await routing.route(session, outbox, now=now, timings=timings, partner_id=call.partner_id)


async def withdraw(session: AsyncSession, outbox: Outbox, *, call_id: str, now: datetime) -> None:
    """The call has ended: a transfer still ringing stops ringing."""
    transfer = await repository.ringing_of(session, call_id)
    if transfer is None:
        return
    if transfer.offered_agent_id is not None:
        await agents.release_offer(session, agent_id=transfer.offered_agent_id, call_id=call_id)
        outbox.refresh_agent(int(transfer.offered_agent_id))
    await repository.close(
        session, transfer_id=transfer.id, status=TransferStatus.withdrawn, now=now
    )


async def expire(
    session: AsyncSession, outbox: Outbox, *, now: datetime, timings: CallTimings
) -> int:
    """Transfers nobody answered in time: the first agents keep their calls."""
    expired = 0
    for call_id, agent_id in await repository.overdue(session, now=now):
        if await ring_out(
            session, outbox, agent_id=agent_id, call_id=call_id, now=now, timings=timings
        ):
            expired += 1
    return expired


# The offer ringing on a console, whichever it is: a waiting call (routing.py) or a transfer.


async def answer_offer(
    session: AsyncSession, outbox: Outbox, *, agent_id: int, call_id: str, now: datetime
) -> None:
    if await repository.ringing_on(session, call_id=call_id, agent_id=agent_id) is not None:
        await accept(session, outbox, agent_id=agent_id, call_id=call_id, now=now)
    else:
        await routing.accept(session, outbox, agent_id=agent_id, call_id=call_id, now=now)


async def refuse_offer(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_id: str,
    now: datetime,
    timings: CallTimings,
    outcome: OfferOutcome = OfferOutcome.rejected,
) -> None:
    if await repository.ringing_on(session, call_id=call_id, agent_id=agent_id) is not None:
        await decline(
            session, outbox, agent_id=agent_id, call_id=call_id, now=now, timings=timings,
            status=_OUTCOMES[outcome],
        )  # fmt: skip
    else:
        await routing.decline(
            session, outbox, agent_id=agent_id, call_id=call_id, now=now, timings=timings,
            outcome=outcome,
        )  # fmt: skip


async def ring_out(
    session: AsyncSession,
    outbox: Outbox,
    *,
    agent_id: int,
    call_id: str,
    now: datetime,
    timings: CallTimings,
) -> bool:
    """The offer ringing on the agent ends unanswered (its time is up, the agent went away);
    False if it had been answered or had moved on already."""
    try:
        await refuse_offer(
            session, outbox, agent_id=agent_id, call_id=call_id, now=now, timings=timings,
            outcome=OfferOutcome.timeout,
        )  # fmt: skip
    except OfferGone:
        return False
    return True
