"""Queries on a partner's call directory: its categories, its agents, and which agent serves
which category. Every read is scoped to the partner (kit/tenancy.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import (
    AGENT,
    CATEGORY,
    CallAgent,
    CallCategory,
    Presence,
    agent_category,
)
from portero.kit.db import AnyRow
from portero.kit.pagination import Page, fetch_page, newest_first
from portero.kit.tenancy import for_partner

Directory = type[CallCategory] | type[CallAgent]


async def add(session: AsyncSession, row: CallCategory | CallAgent) -> None:
    session.add(row)
    await session.flush()


async def category_by_code(
    session: AsyncSession, *, partner_id: int, code: str
) -> CallCategory | None:
    query = for_partner(
        select(CallCategory).where(CallCategory.code == code), CallCategory, partner_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def agent_by_code(session: AsyncSession, *, partner_id: int, code: str) -> CallAgent | None:
    query = for_partner(select(CallAgent).where(CallAgent.code == code), CallAgent, partner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def id_by_code(
    session: AsyncSession, model: Directory, *, partner_id: int, code: str
) -> int | None:
    """The row id of a category's or an agent's code, without loading the row."""
    query = for_partner(select(model.id).where(model.code == code), model, partner_id)
    found = await session.scalar(query)
    return int(found) if found is not None else None


async def list_categories(
    session: AsyncSession, *, partner_id: int, limit: int, after_id: int | None
) -> Page[CallCategory]:
    query = newest_first(select(CallCategory), CallCategory.id, after_id)
    query = for_partner(query, CallCategory, partner_id)
    return await fetch_page(session, query, limit=limit, scalars=True)


async def list_agents(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int,
    after_id: int | None,
    category_code: str | None = None,
    presence: Presence | None = None,
) -> Page[CallAgent]:
    """`category_code` keeps the agents serving that category (an unknown code matches none)."""
    query = for_partner(
        newest_first(select(CallAgent), CallAgent.id, after_id), CallAgent, partner_id
    )
    if presence is not None:
        query = query.where(CallAgent.presence == presence.value)
    if category_code is not None:
        serves = exists().where(
            agent_category.c.agent_id == CallAgent.id,
            agent_category.c.category_id == CallCategory.id,
            CallCategory.partner_id == partner_id,
            CallCategory.code == category_code,
        )
        query = query.where(serves)
    return await fetch_page(session, query, limit=limit, scalars=True)


async def transfer_targets(
    session: AsyncSession, *, partner_id: int, limit: int
) -> tuple[list[AnyRow], list[AnyRow]]:
    """The partner's agents (with what routing decides on) and categories, by name: whom a
    console may transfer a call to."""
    agents = select(
        AGENT.c.id,
        AGENT.c.code,
        AGENT.c.name,
        AGENT.c.presence,
        AGENT.c.seen_at,
        AGENT.c.offer_call_id,
        AGENT.c.active_calls,
        AGENT.c.capacity,
    ).order_by(AGENT.c.name, AGENT.c.id)
    categories = select(CATEGORY.c.code, CATEGORY.c.name).order_by(CATEGORY.c.name, CATEGORY.c.id)
    found_agents = await session.execute(for_partner(agents, AGENT, partner_id).limit(limit))
    found_categories = await session.execute(
        for_partner(categories, CATEGORY, partner_id).limit(limit)
    )
    return list(found_agents.all()), list(found_categories.all())


async def categories_of(
    session: AsyncSession, *, partner_id: int, agent_ids: Sequence[int]
) -> dict[int, list[CallCategory]]:
    """Each agent's categories, oldest first, in one query for a whole page of agents."""
    found: dict[int, list[CallCategory]] = {agent_id: [] for agent_id in agent_ids}
    if not agent_ids:
        return found
    query = (
        select(agent_category.c.agent_id, CallCategory)
        .join(CallCategory, CallCategory.id == agent_category.c.category_id)
        .where(agent_category.c.agent_id.in_(agent_ids))
        .order_by(CallCategory.id)
    )
    for agent_id, category in (
        await session.execute(for_partner(query, CallCategory, partner_id))
    ).all():
        found[agent_id].append(category)
    return found


async def serve(session: AsyncSession, *, agent_id: int, category_ids: Sequence[int]) -> None:
    """The agent serves these categories too."""
    if category_ids:
        rows = [{"agent_id": agent_id, "category_id": category_id} for category_id in category_ids]
        await session.execute(insert(agent_category), rows)


async def serve_only(session: AsyncSession, *, agent_id: int, category_ids: Sequence[int]) -> None:
    """The agent serves exactly these categories."""
    await session.execute(delete(agent_category).where(agent_category.c.agent_id == agent_id))
    await serve(session, agent_id=agent_id, category_ids=category_ids)
