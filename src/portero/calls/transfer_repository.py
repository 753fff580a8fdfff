"""Statements on the calls' transfers (calls/transfers.py). Each change is one conditional
UPDATE that reports whether it matched; the call ids come from a console's own calls or from
the clock, so reads here are across partners (kit/tenancy.py), like the agent's row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import AGENT, CALL, CATEGORY, TRANSFER, TransferStatus
from portero.kit.db import AnyRow, matched
from portero.kit.tenancy import across_partners

_FROM = AGENT.alias("from_agent")
_TO = AGENT.alias("to_agent")
_OFFERED = AGENT.alias("offered_agent")
_RINGING = TransferStatus.ringing.value


async def insert_ringing(session: AsyncSession, values: Mapping[str, Any]) -> bool:
    """A transfer ringing; False if another of the same call rings already (the partial unique
    index: two consoles of one agent at the same instant)."""
    try:
        async with session.begin_nested():
            await session.execute(insert(TRANSFER).values(**values, status=_RINGING))
    except IntegrityError:
        return False
    return True


async def ringing_of(session: AsyncSession, call_id: str) -> AnyRow | None:
    """The call's transfer ringing now, if any."""
    query = select(TRANSFER.c.id, TRANSFER.c.from_agent_id, TRANSFER.c.offered_agent_id).where(
        TRANSFER.c.call_id == call_id, TRANSFER.c.status == _RINGING
    )
    return (await session.execute(across_partners(query))).one_or_none()


async def ringing_on(session: AsyncSession, *, call_id: str, agent_id: int) -> AnyRow | None:
    """The call's transfer, if it rings on that agent."""
    found = await ringing_of(session, call_id)
    return found if found is not None and found.offered_agent_id == agent_id else None


async def close(
    session: AsyncSession, *, transfer_id: str, status: TransferStatus, now: datetime
) -> bool:
    """A ringing transfer ends as `status`; False if it had ended already."""
    closed = await session.execute(
        update(TRANSFER)
        .where(TRANSFER.c.id == transfer_id, TRANSFER.c.status == _RINGING)
        .values(status=status.value, answered_at=now)
    )
    return matched(closed)


async def overdue(session: AsyncSession, *, now: datetime) -> list[tuple[str, int]]:
    """Transfers ringing past their time: (call id, the agent it rings on)."""
    query = select(TRANSFER.c.call_id, TRANSFER.c.offered_agent_id).where(
        TRANSFER.c.status == literal(_RINGING, literal_execute=True), TRANSFER.c.expires_at <= now
    )
    rows = (await session.execute(across_partners(query))).all()
    return [(str(call_id), int(agent_id)) for call_id, agent_id in rows if agent_id is not None]


def took_part(agent_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """The calls the agent was on (an id, or a column in a join): the one it is on or was last,
    and those it handed over or took over by a transfer."""
    by_transfer = exists().where(
        TRANSFER.c.call_id == CALL.c.id,
        TRANSFER.c.status == TransferStatus.accepted.value,
        or_(TRANSFER.c.from_agent_id == agent_id, TRANSFER.c.offered_agent_id == agent_id),
    )
    return or_(CALL.c.agent_id == agent_id, by_transfer)


def earliest_ring_out() -> Any:
    """For the clock's probe: when the first ringing transfer rings out (the predicate sent as
    the literal text of the partial index that serves it)."""
    return (
        select(TRANSFER.c.expires_at)
        .where(TRANSFER.c.status == literal(_RINGING, literal_execute=True))
        .order_by(TRANSFER.c.expires_at)
        .limit(1)
        .correlate(None)
        .scalar_subquery()
    )


def _described() -> Select[Any]:
    """Transfers with the people and the category they name."""
    return (
        select(
            TRANSFER.c.id,
            TRANSFER.c.call_id,
            TRANSFER.c.status,
            TRANSFER.c.note,
            TRANSFER.c.created_at,
            TRANSFER.c.expires_at,
            TRANSFER.c.answered_at,
            TRANSFER.c.from_agent_id,
            _FROM.c.code.label("from_code"),
            _FROM.c.name.label("from_name"),
            _TO.c.code.label("to_agent_code"),
            _TO.c.name.label("to_agent_name"),
            CATEGORY.c.code.label("to_category_code"),
            CATEGORY.c.name.label("to_category_name"),
            _OFFERED.c.code.label("offered_code"),
            _OFFERED.c.name.label("offered_name"),
        )
        .outerjoin(_FROM, _FROM.c.id == TRANSFER.c.from_agent_id)
        .outerjoin(_TO, _TO.c.id == TRANSFER.c.to_agent_id)
        .outerjoin(CATEGORY, CATEGORY.c.id == TRANSFER.c.to_category_id)
        .outerjoin(_OFFERED, _OFFERED.c.id == TRANSFER.c.offered_agent_id)
    )


async def of_calls(session: AsyncSession, call_ids: Sequence[str]) -> dict[str, list[AnyRow]]:
    """Each call's transfers, in order (the call ids come from a page scoped to the partner)."""
    found: dict[str, list[AnyRow]] = {call_id: [] for call_id in call_ids}
    if not call_ids:
        return found
    query = (
        _described()
        .where(TRANSFER.c.call_id.in_(call_ids))
        .order_by(TRANSFER.c.created_at, TRANSFER.c.id)
    )
    for row in (await session.execute(across_partners(query))).all():
        found[row.call_id].append(row)
    return found


async def offered_to(session: AsyncSession, *, agent_id: int, call_id: str) -> AnyRow | None:
    """The transfer of `call_id` ringing on the agent, described."""
    query = _described().where(
        TRANSFER.c.call_id == call_id,
        TRANSFER.c.offered_agent_id == agent_id,
        TRANSFER.c.status == _RINGING,
    )
    found: AnyRow | None = (await session.execute(across_partners(query))).one_or_none()
    return found


async def latest_from(
    session: AsyncSession, *, agent_id: int, call_ids: Sequence[str]
) -> dict[str, AnyRow]:
    """For each of the agent's calls in progress, the last transfer the agent asked for."""
    if not call_ids:
        return {}
    query = (
        _described()
        .where(TRANSFER.c.call_id.in_(call_ids), TRANSFER.c.from_agent_id == agent_id)
        .order_by(TRANSFER.c.created_at, TRANSFER.c.id)
    )
    return {row.call_id: row for row in (await session.execute(across_partners(query))).all()}


async def handed_over(
    session: AsyncSession, *, agent_id: int, since: datetime, limit: int
) -> list[AnyRow]:
    """The agent's calls another agent took over since `since` (and that did not come back),
    newest first."""
    query = (
        _described()
        .join(CALL, CALL.c.id == TRANSFER.c.call_id)
        .where(
            CALL.c.agent_id.is_distinct_from(agent_id),
            TRANSFER.c.from_agent_id == agent_id,
            TRANSFER.c.status == TransferStatus.accepted.value,
            TRANSFER.c.answered_at >= since,
        )
        .order_by(TRANSFER.c.answered_at.desc())
        .limit(limit)
    )
    return list((await session.execute(across_partners(query))).all())
