"""Queries behind the desk's figures (calls/desk_stats.py): each one statement, for one partner
or, for the metrics, for every partner at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import AGENT, CALL, CATEGORY, QUEUED, CallStatus, agent_category
from portero.kit.db import AnyRow
from portero.kit.ids import lowest_id_at
from portero.kit.tenancy import across_partners, for_partner


def _scoped(query: Select[Any], owner: Any, partner_id: int | None) -> Select[Any]:
    return across_partners(query) if partner_id is None else for_partner(query, owner, partner_id)


async def categories(session: AsyncSession, *, partner_id: int) -> list[AnyRow]:
    query = select(CATEGORY.c.id, CATEGORY.c.code, CATEGORY.c.name).order_by(CATEGORY.c.name)
    return list((await session.execute(for_partner(query, CATEGORY, partner_id))).all())


async def queued(session: AsyncSession, *, partner_id: int | None) -> list[AnyRow]:
    """Per partner and category: the calls waiting or ringing, and since when the oldest."""
    query = (
        select(
            CALL.c.partner_id,
            CALL.c.target_category_id,
            CATEGORY.c.code.label("category_code"),
            func.count().label("calls"),
            func.min(CALL.c.created_at).label("oldest"),
        )
        .outerjoin(CATEGORY, CATEGORY.c.id == CALL.c.target_category_id)
        .where(CALL.c.status.in_(QUEUED))
        .group_by(CALL.c.partner_id, CALL.c.target_category_id, CATEGORY.c.code)
    )
    return list((await session.execute(_scoped(query, CALL, partner_id))).all())


async def in_progress(session: AsyncSession, *, partner_id: int | None) -> list[AnyRow]:
    """The calls connected now, with their agent, oldest answer first."""
    query = (
        select(
            CALL.c.id,
            CALL.c.partner_id,
            CALL.c.target_category_id,
            CALL.c.answered_at,
            CATEGORY.c.code.label("category_code"),
            AGENT.c.code.label("agent_code"),
            AGENT.c.name.label("agent_name"),
        )
        .outerjoin(AGENT, AGENT.c.id == CALL.c.agent_id)
        .outerjoin(CATEGORY, CATEGORY.c.id == CALL.c.target_category_id)
        .where(CALL.c.status == CallStatus.connected.value)
        .order_by(CALL.c.answered_at, CALL.c.id)
    )
    return list((await session.execute(_scoped(query, CALL, partner_id))).all())


async def agents(session: AsyncSession, *, partner_id: int | None) -> list[AnyRow]:
    """Every agent with their presence, calls in progress and categories (one row per agent
    and category served; `category_id` None for an agent serving none)."""
    query = (
        select(
            AGENT.c.id,
            AGENT.c.partner_id,
            AGENT.c.code,
            AGENT.c.name,
            AGENT.c.presence,
            AGENT.c.active_calls,
            AGENT.c.capacity,
            agent_category.c.category_id,
        )
        .outerjoin(agent_category, agent_category.c.agent_id == AGENT.c.id)
        .order_by(AGENT.c.name, AGENT.c.id)
    )
    return list((await session.execute(_scoped(query, AGENT, partner_id))).all())


def _seconds(start: Any, end: Any, dialect: str) -> Any:
    """`end - start` in seconds, in SQL: the two databases spell it differently."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


async def day(session: AsyncSession, *, partner_id: int, start: datetime) -> list[AnyRow]:
    """Per category, the partner's calls requested since `start` (the desk's day): missed,
    answered, their waits and talks, the ratings. A range on the time-ordered id (the
    partner's index) finds them without reading the days before."""
    dialect = session.get_bind().dialect.name
    wait = _seconds(CALL.c.created_at, CALL.c.answered_at, dialect)
    completed = CALL.c.status == CallStatus.completed.value
    talk = case((completed, _seconds(CALL.c.answered_at, CALL.c.ended_at, dialect)))
    query = (
        select(
            CALL.c.target_category_id,
            func.count().filter(CALL.c.status == CallStatus.missed.value).label("missed"),
            func.count(CALL.c.answered_at).label("answered"),
            func.sum(wait).label("wait_total"),
            func.count(talk).label("talks"),
            func.sum(talk).label("talk_total"),
            func.count(CALL.c.satisfaction_score).label("ratings"),
            func.sum(CALL.c.satisfaction_score).label("score_total"),
        )
        .where(CALL.c.id >= lowest_id_at("call", start), CALL.c.created_at >= start)
        .group_by(CALL.c.target_category_id)
    )
    return list((await session.execute(for_partner(query, CALL, partner_id))).all())
