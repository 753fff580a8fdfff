"""What the two pages show, read fresh from the database each time something changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import CallStatus, agent_category
from portero.calls.queue import position
from portero.calls.routing import AGENT, CALL, OFFER
from portero.kit.clock import iso_utc
from portero.players.models import Player

_RECENT = 20


def _iso(value: datetime | None) -> str | None:
    return iso_utc(value) if value is not None else None


def _calls_with_customer() -> Select[Any]:
    return select(
        CALL.c.id,
        CALL.c.status,
        CALL.c.tickets,
        CALL.c.agent_id,
        CALL.c.created_at,
        CALL.c.offered_at,
        CALL.c.offer_expires_at,
        CALL.c.answered_at,
        CALL.c.ended_at,
        Player.name.label("customer_name"),
        Player.cellphone.label("customer_cellphone"),
        Player.email.label("customer_email"),
    ).join(Player, Player.id == CALL.c.player_id)


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
    }


async def customer_view(session: AsyncSession, call_id: str) -> dict[str, Any]:
    row = (
        await session.execute(
            select(
                CALL.c.id,
                CALL.c.status,
                CALL.c.tickets,
                CALL.c.answered_at,
                CALL.c.ended_at,
                CALL.c.agent_id,
                AGENT.c.name.label("agent_name"),
            )
            .outerjoin(AGENT, AGENT.c.id == CALL.c.agent_id)
            .where(CALL.c.id == call_id)
        )
    ).one()
    talking = row.status in (CallStatus.connected, CallStatus.completed)
    return {
        "type": "state",
        "call_id": row.id,
        "status": row.status,
        "position": await position(session, call_id),
        # The agent's name is the customer's business once they answer, not while it rings.
        "agent": {"name": row.agent_name} if talking and row.agent_name else None,
        "tickets": list(row.tickets or []),
        "answered_at": _iso(row.answered_at),
        "ended_at": _iso(row.ended_at),
    }


async def console_view(session: AsyncSession, agent_id: int) -> dict[str, Any]:
    agent = (await session.execute(select(AGENT).where(AGENT.c.id == agent_id))).one()
    offer = None
    if agent.offer_call_id is not None:
        ringing = (
            await session.execute(
                _calls_with_customer().where(
                    CALL.c.id == agent.offer_call_id,
                    CALL.c.agent_id == agent_id,
                    CALL.c.status == CallStatus.ringing.value,
                )
            )
        ).one_or_none()
        if ringing is not None:
            offer = _call_summary(ringing) | {"expires_at": _iso(ringing.offer_expires_at)}
    in_progress = (
        await session.execute(
            _calls_with_customer()
            .where(CALL.c.agent_id == agent_id, CALL.c.status == CallStatus.connected.value)
            .order_by(CALL.c.answered_at)
        )
    ).all()
    return {
        "type": "state",
        "agent": {
            "code": agent.code,
            "name": agent.name,
            "presence": agent.presence,
            "capacity": agent.capacity,
        },
        "offer": offer,
        "calls": [_call_summary(row) for row in in_progress],
        "recent": await _recent(session, agent),
    }


async def _recent(session: AsyncSession, agent: Row[Any]) -> list[dict[str, Any]]:
    """The agent's last calls, and the requests they could have taken that were missed (so they
    can call the customer back)."""
    serves_category = exists().where(
        agent_category.c.agent_id == agent.id,
        agent_category.c.category_id == CALL.c.target_category_id,
    )
    could_have_taken = or_(
        CALL.c.target_agent_id == agent.id,
        serves_category,
        and_(CALL.c.target_agent_id.is_(None), CALL.c.target_category_id.is_(None)),
    )
    was_offered = exists().where(OFFER.c.call_id == CALL.c.id, OFFER.c.agent_id == agent.id)
    rows = (
        await session.execute(
            _calls_with_customer()
            .where(
                CALL.c.partner_id == agent.partner_id,
                or_(
                    and_(CALL.c.status == CallStatus.completed.value, CALL.c.agent_id == agent.id),
                    and_(
                        CALL.c.status == CallStatus.missed.value,
                        or_(could_have_taken, was_offered),
                    ),
                ),
            )
            .order_by(CALL.c.created_at.desc(), CALL.c.id.desc())
            .limit(_RECENT)
        )
    ).all()
    return [_call_summary(row) for row in rows]
