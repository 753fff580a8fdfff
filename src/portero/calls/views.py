"""What the two pages show, read fresh from the database each time something changed
(queries in record_repository.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import (
    call_repository,
    callbacks,
    hours,
    transcript_repository,
    transcripts,
    transfer_repository,
)
from portero.calls import record_repository as records
from portero.calls.models import CLOSED, CallStatus
from portero.kit.clock import iso_utc, utcnow

_RECENT = 20
_HANDED_OVER_SHOWN = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class CustomerView:
    state: dict[str, Any]  # the `state` message the page receives
    # The agent on the call while it is connected: the other end of the customer's signalling.
    connected_agent_id: int | None
    # The agent it rings on, while it rings: told what the customer's media are (the offer's
    # "use the chat" hint), and nothing else.
    ringing_agent_id: int | None = None


def _iso(value: datetime | None) -> str | None:
    return iso_utc(value) if value is not None else None


def _call_summary(row: Row[Any]) -> dict[str, Any]:
    duration = None
    if row.answered_at is not None and row.ended_at is not None:
        duration = round((row.ended_at - row.answered_at).total_seconds())
    return {
        "call_id": row.id,
        "status": row.status,
        "customer": {
            "name": row.customer_name,
            "cellphone": row.customer_cellphone,
            "email": row.customer_email,
        },
        "tickets": list(row.tickets or []),
        "created_at": _iso(row.created_at),
        "answered_at": _iso(row.answered_at),
        "ended_at": _iso(row.ended_at),
        "duration_seconds": duration,
        "satisfaction": _satisfaction(row),
    }


def _satisfaction(row: Row[Any]) -> dict[str, Any] | None:
    if row.satisfaction_score is None:
        return None
    return {"score": row.satisfaction_score, "comment": row.satisfaction_comment}


async def customer_view(session: AsyncSession, call_id: str) -> CustomerView:
    row = await records.customer_call(session, call_id)
    talking = row.status in (CallStatus.connected, CallStatus.completed)
    state = {
        "type": "state",
        "call_id": row.id,
        "status": row.status,
        "position": await call_repository.position(session, call_id),
        # The agent's name is the customer's business once they answer, not while it rings.
        "agent": {"name": row.agent_name} if talking and row.agent_name else None,
        "tickets": list(row.tickets or []),
        "answered_at": _iso(row.answered_at),
        "ended_at": _iso(row.ended_at),
    }
    if row.status == CallStatus.missed:
        state |= await _unanswered(session, row)
    agent_id = int(row.agent_id) if row.agent_id is not None else None
    if row.status == CallStatus.connected:
        return CustomerView(state, agent_id)
    return CustomerView(state, None, agent_id if row.status == CallStatus.ringing else None)


async def _unanswered(session: AsyncSession, row: Row[Any]) -> dict[str, Any]:
    """A missed call's page: whether the desk was closed, the partner's words for it, and
    whether the customer has asked to be called back (calls/callbacks.py)."""
    opening_hours = await hours.for_call(
        session, partner_id=row.partner_id, category_id=row.target_category_id
    )
    return {
        "closed": row.ended_by == CLOSED,
        "offline_message": opening_hours.offline_message if opening_hours else None,
        "callback": {"status": row.callback_status} if row.callback_status else None,
    }


async def console_view(session: AsyncSession, agent_id: int) -> dict[str, Any]:
    agent = await records.agent(session, agent_id)
    in_progress = await records.in_progress(session, agent_id)
    call_ids = [row.id for row in in_progress]
    asked = await transfer_repository.latest_from(session, agent_id=agent_id, call_ids=call_ids)
    recent = await records.recent_for(session, agent, limit=_RECENT)
    handed = await transfer_repository.handed_over(
        session, agent_id=agent_id, since=utcnow() - _HANDED_OVER_SHOWN, limit=_RECENT
    )
    return {
        "type": "state",
        "agent": {
            "code": agent.code,
            "name": agent.name,
            "presence": agent.presence,
            "capacity": agent.capacity,
        },
        "offer": await _offer(session, agent),
        # Each with the last transfer this agent asked for (ringing, or how it ended).
        "calls": [
            _call_summary(row) | {"transfer": transfer_out(asked.get(row.id))}
            for row in in_progress
        ],
        # The agent's last calls, and the requests they could have taken that were missed (so
        # they can call the customer back).
        "recent": [_call_summary(row) for row in recent],
        # Calls another agent took over from this one lately: why they left the console.
        "handed_over": [transfer_out(row) for row in handed],
        # Customers who asked to be called back, oldest first: what the agent could do next.
        "callbacks": await callbacks.open_for_console(
            session, partner_id=agent.partner_id, agent_id=agent_id
        ),
    }


async def _offer(session: AsyncSession, agent: Row[Any]) -> dict[str, Any] | None:
    """The call ringing on the console: a waiting call routed here, or a transfer (with its
    note and the chat so far)."""
    if agent.offer_call_id is None:
        return None
    ringing = await records.ringing_on(session, agent_id=agent.id, call_id=agent.offer_call_id)
    if ringing is not None:
        return _call_summary(ringing) | {"expires_at": _iso(ringing.offer_expires_at)}
    transfer = await transfer_repository.offered_to(
        session, agent_id=agent.id, call_id=agent.offer_call_id
    )
    call = await records.connected(session, agent.offer_call_id) if transfer else None
    if transfer is None or call is None:
        return None
    said = await transcript_repository.last_of(
        session, call_id=call.id, limit=transcripts.CONSOLE_MESSAGES
    )
    return _call_summary(call) | {
        "expires_at": _iso(transfer.expires_at),
        "transfer": transfer_out(transfer),
        "messages": [transcripts.said(row) for row in said],
    }


def transfer_out(row: Row[Any] | None) -> dict[str, Any] | None:
    """A transfer as the consoles show it."""
    if row is None:
        return None
    return {
        "id": row.id,
        "call_id": row.call_id,
        "status": row.status,
        "from": _person(row.from_code, row.from_name),
        "to": {
            "agent": _person(row.to_agent_code, row.to_agent_name),
            "category": _person(row.to_category_code, row.to_category_name),
        },
        "offered_to": _person(row.offered_code, row.offered_name),
        "note": row.note,
        "created_at": _iso(row.created_at),
        "answered_at": _iso(row.answered_at),
    }


def _person(code: str | None, name: str | None) -> dict[str, str] | None:
    return {"code": code, "name": name or ""} if code is not None else None
