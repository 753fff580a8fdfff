"""Queries on callback requests (calls/callbacks.py): each one statement, scoped to the partner
whose customer left it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import (
    AGENT,
    CALL,
    CALLBACK,
    CATEGORY,
    CallbackStatus,
)
from portero.calls.record_repository import could_take
from portero.kit.db import AnyRow, matched
from portero.kit.pagination import Page, fetch_page, newest_first
from portero.kit.tenancy import for_partner
from portero.players.models import Player

_PLAYER = cast(Table, Player.__table__)
_TARGET_AGENT = AGENT.alias("callback_target_agent")
_DONE_BY_AGENT = AGENT.alias("callback_done_by_agent")


async def insert_callback(session: AsyncSession, values: Mapping[str, Any]) -> bool:
    """False, with nothing written, when the call already has one (two requests at once: the
    call's unique key lets one through)."""
    try:
        async with session.begin_nested():
            await session.execute(insert(CALLBACK).values(**values))
    except IntegrityError:
        return False
    return True


async def mark_done(
    session: AsyncSession,
    *,
    partner_id: int,
    callback_id: str,
    now: datetime,
    by: str,
    agent_id: int | None,
) -> bool:
    """open → done; False when it is not open (done already, or none such)."""
    query = update(CALLBACK).where(
        CALLBACK.c.id == callback_id, CALLBACK.c.status == CallbackStatus.open.value
    )
    done = await session.execute(
        for_partner(query, CALLBACK, partner_id).values(
            status=CallbackStatus.done.value, done_at=now, done_by=by, done_by_agent_id=agent_id
        )
    )
    return matched(done)


def _callbacks(partner_id: int) -> Select[Any]:
    query = (
        select(
            CALLBACK.c.id,
            CALLBACK.c.status,
            CALLBACK.c.call_id,
            CALLBACK.c.preferred_at,
            CALLBACK.c.message,
            CALLBACK.c.created_at,
            CALLBACK.c.done_at,
            CALLBACK.c.done_by,
            _DONE_BY_AGENT.c.code.label("done_by_agent"),
            _PLAYER.c.external_id.label("customer_id"),
            _PLAYER.c.name.label("customer_name"),
            _PLAYER.c.cellphone.label("customer_cellphone"),
            _PLAYER.c.email.label("customer_email"),
            CATEGORY.c.code.label("category"),
            _TARGET_AGENT.c.code.label("agent"),
        )
        .join(CALL, CALL.c.id == CALLBACK.c.call_id)
        .join(_PLAYER, _PLAYER.c.id == CALL.c.player_id)
        .outerjoin(CATEGORY, CATEGORY.c.id == CALL.c.target_category_id)
        .outerjoin(_TARGET_AGENT, _TARGET_AGENT.c.id == CALL.c.target_agent_id)
        .outerjoin(_DONE_BY_AGENT, _DONE_BY_AGENT.c.id == CALLBACK.c.done_by_agent_id)
    )
    return for_partner(query, CALLBACK, partner_id)


async def callback(session: AsyncSession, *, partner_id: int, callback_id: str) -> AnyRow | None:
    query = _callbacks(partner_id).where(CALLBACK.c.id == callback_id)
    found: AnyRow | None = (await session.execute(query)).one_or_none()
    return found


async def callbacks(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int,
    after: str | None,
    status: CallbackStatus | None,
) -> Page[AnyRow]:
    """Newest first (ids are time-ordered)."""
    query = newest_first(_callbacks(partner_id), CALLBACK.c.id, after)
    if status is not None:
        query = query.where(CALLBACK.c.status == status.value)
    return await fetch_page(session, query, limit=limit)


async def open_for_agent(
    session: AsyncSession, *, partner_id: int, agent_id: int, limit: int
) -> list[AnyRow]:
    """The open requests the agent could take, oldest first (the longest waiting on top)."""
    query = (
        _callbacks(partner_id)
        .where(CALLBACK.c.status == CallbackStatus.open.value, could_take(agent_id))
        .order_by(CALLBACK.c.id)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def open_for_launch(session: AsyncSession, *, partner_id: int, launch_id: str) -> bool:
    """Whether an earlier call of the link has a request still open."""
    query = (
        select(CALLBACK.c.id)
        .join(CALL, CALL.c.id == CALLBACK.c.call_id)
        .where(CALL.c.launch_id == launch_id, CALLBACK.c.status == CallbackStatus.open.value)
        .limit(1)
    )
    return (await session.scalar(for_partner(query, CALLBACK, partner_id))) is not None


async def agent_may_take(
    session: AsyncSession, *, partner_id: int, callback_id: str, agent_id: int
) -> bool:
    """Whether the request is one the agent's console lists (its call one they could take)."""
    query = (
        select(CALLBACK.c.id)
        .join(CALL, CALL.c.id == CALLBACK.c.call_id)
        .where(CALLBACK.c.id == callback_id, could_take(agent_id))
    )
    return (await session.scalar(for_partner(query, CALLBACK, partner_id))) is not None


async def agents_to_tell(session: AsyncSession, *, partner_id: int, call_id: str) -> list[int]:
    """The agents who could take the call's callback, whatever their presence: an agent
    who is offline or busy for calls may still call customers back from an open console."""
    query = for_partner(
        select(AGENT.c.id)
        .join(CALL, CALL.c.partner_id == AGENT.c.partner_id)
        .where(CALL.c.id == call_id, could_take(AGENT.c.id)),
        AGENT,
        partner_id,
    )
    return [int(found) for found in (await session.scalars(query)).all()]
