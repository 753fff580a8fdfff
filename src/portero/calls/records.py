"""The partner's call records: what happened to each call, read for the native API and the CLI.

Every query filters by partner id; a call of another partner does not exist for the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.errors import CallNotFound
from portero.calls.models import CallCategory, CallStatus
from portero.calls.routing import AGENT, CALL, OFFER
from portero.calls.service import is_code
from portero.players.models import Player

CALL_ID_PATTERN = r"^call_[0-9a-z]{26}$"
_CALL_ID = re.compile(CALL_ID_PATTERN)

_PLAYER = cast(Table, Player.__table__)
_CATEGORY = cast(Table, CallCategory.__table__)
_TARGET_AGENT = AGENT.alias("target_agent")
_HANDLING_AGENT = AGENT.alias("handling_agent")
_OFFER_AGENT = AGENT.alias("offer_agent")


@dataclass(frozen=True, slots=True)
class OfferRecord:
    agent_code: str
    offered_at: datetime
    answered_at: datetime | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: str
    status: CallStatus
    launch_id: str
    customer_id: str
    customer_name: str | None
    customer_cellphone: str | None
    customer_email: str | None
    target_agent: str | None
    target_category: str | None
    agent_code: str | None
    agent_name: str | None
    tickets: list[dict[str, Any]]
    created_at: datetime
    offered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None
    offers: list[OfferRecord]

    @property
    def duration_seconds(self) -> int | None:
        """Talking time: from the answer to the end."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return round((self.ended_at - self.answered_at).total_seconds())


async def get_call(session: AsyncSession, *, partner_id: int, call_id: str) -> CallRecord:
    row = None
    if _CALL_ID.match(call_id):
        query = _calls(partner_id).where(CALL.c.id == call_id)
        row = (await session.execute(query)).one_or_none()
    if row is None:
        raise CallNotFound(f"No call {call_id} for this partner.")
    offers = await _offers(session, [row.id])
    return _record(row, offers[row.id])


async def list_calls(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int = 20,
    starting_after: str | None = None,
    agent: str | None = None,
    status: CallStatus | None = None,
) -> tuple[list[CallRecord], bool]:
    """Newest first (call ids are time-ordered); `agent` keeps the calls addressed to that agent
    or answered by it (an unknown code matches none)."""
    query = _calls(partner_id)
    if starting_after is not None:
        query = query.where(CALL.c.id < starting_after)
    if status is not None:
        query = query.where(CALL.c.status == status.value)
    if agent is not None:
        agent_id = None
        if is_code(agent):
            agent_id = await session.scalar(
                select(AGENT.c.id).where(
                    AGENT.c.partner_id == partner_id, AGENT.c.code == agent.lower()
                )
            )
        if agent_id is None:
            return [], False
        query = query.where(or_(CALL.c.agent_id == agent_id, CALL.c.target_agent_id == agent_id))
    rows = (await session.execute(query.order_by(CALL.c.id.desc()).limit(limit + 1))).all()
    page = rows[:limit]
    offers = await _offers(session, [row.id for row in page])
    return [_record(row, offers[row.id]) for row in page], len(rows) > limit


def _calls(partner_id: int) -> Select[Any]:
    return (
        select(
            CALL.c.id,
            CALL.c.status,
            CALL.c.launch_id,
            CALL.c.tickets,
            CALL.c.created_at,
            CALL.c.offered_at,
            CALL.c.answered_at,
            CALL.c.ended_at,
            CALL.c.ended_by,
            _PLAYER.c.external_id.label("customer_id"),
            _PLAYER.c.name.label("customer_name"),
            _PLAYER.c.cellphone.label("customer_cellphone"),
            _PLAYER.c.email.label("customer_email"),
            _TARGET_AGENT.c.code.label("target_agent"),
            _CATEGORY.c.code.label("target_category"),
            _HANDLING_AGENT.c.code.label("agent_code"),
            _HANDLING_AGENT.c.name.label("agent_name"),
        )
        .join(_PLAYER, _PLAYER.c.id == CALL.c.player_id)
        .outerjoin(_TARGET_AGENT, _TARGET_AGENT.c.id == CALL.c.target_agent_id)
        .outerjoin(_CATEGORY, _CATEGORY.c.id == CALL.c.target_category_id)
        .outerjoin(_HANDLING_AGENT, _HANDLING_AGENT.c.id == CALL.c.agent_id)
        .where(CALL.c.partner_id == partner_id)
    )


async def _offers(session: AsyncSession, call_ids: list[str]) -> dict[str, list[OfferRecord]]:
    found: dict[str, list[OfferRecord]] = {call_id: [] for call_id in call_ids}
    if not call_ids:
        return found
    query = (
        select(
            OFFER.c.call_id,
            _OFFER_AGENT.c.code,
            OFFER.c.offered_at,
            OFFER.c.answered_at,
            OFFER.c.outcome,
        )
        .join(_OFFER_AGENT, _OFFER_AGENT.c.id == OFFER.c.agent_id)
        .where(OFFER.c.call_id.in_(call_ids))
        .order_by(OFFER.c.offered_at, OFFER.c.id)
    )
    for call_id, code, offered_at, answered_at, outcome in (await session.execute(query)).all():
        found[call_id].append(OfferRecord(code, offered_at, answered_at, outcome))
    return found


def _record(row: Row[Any], offers: list[OfferRecord]) -> CallRecord:
    status = CallStatus(row.status)
    # The call row keeps the agent of an offer the customer walked away from; the record names
    # only the agent who answered, or the one it is ringing on now.
    handled = row.answered_at is not None or status is CallStatus.ringing
    return CallRecord(
        id=row.id,
        status=status,
        launch_id=row.launch_id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        customer_cellphone=row.customer_cellphone,
        customer_email=row.customer_email,
        target_agent=row.target_agent,
        target_category=row.target_category,
        agent_code=row.agent_code if handled else None,
        agent_name=row.agent_name if handled else None,
        tickets=list(row.tickets or []),
        created_at=row.created_at,
        offered_at=row.offered_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        offers=offers,
    )
