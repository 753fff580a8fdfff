"""Categories and agents: created by the CLI and the native API; looked up by the code a
partner sends."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.errors import AgentNotFound, CategoryNotFound
from portero.calls.models import CallAgent, CallCategory, Presence, agent_category
from portero.kit.clock import utcnow
from portero.kit.errors import InvalidField
from portero.partners.service import require_partner

# How many customers one agent may talk to at once: a video call each, so a handful at most.
MAX_AGENT_CAPACITY = 10
# Codes are UUIDs Portero generated; anything else cannot name a row (and is not sent to the
# database, where a NUL byte would be a PostgreSQL error rather than "not found").
_CODE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_code(value: str) -> bool:
    return bool(_CODE.match(value.lower()))


async def add_category(session: AsyncSession, *, partner_id: int, name: str) -> CallCategory:
    await require_partner(session, partner_id)
    category = CallCategory(
        partner_id=partner_id, code=str(uuid.uuid4()), name=name.strip(), created_at=utcnow()
    )
    session.add(category)
    await session.flush()
    return category


async def update_category(
    session: AsyncSession, *, partner_id: int, code: str, name: str | None = None
) -> CallCategory:
    category = await require_category(session, partner_id=partner_id, code=code)
    if name is not None:
        category.name = name.strip()
        await session.flush()
    return category


async def list_categories(
    session: AsyncSession, *, partner_id: int, limit: int = 20, starting_after: str | None = None
) -> tuple[list[CallCategory], bool]:
    """Newest first; `starting_after` is the code of the last category of the previous page."""
    query = select(CallCategory).where(CallCategory.partner_id == partner_id)
    if starting_after is not None:
        cursor = await _cursor(session, CallCategory, partner_id, starting_after)
        query = query.where(CallCategory.id < cursor)
    rows = list(
        (await session.execute(query.order_by(CallCategory.id.desc()).limit(limit + 1))).scalars()
    )
    return rows[:limit], len(rows) > limit


async def add_agent(
    session: AsyncSession,
    *,
    partner_id: int,
    name: str,
    category_codes: Sequence[str] = (),
    capacity: int = 1,
) -> tuple[CallAgent, list[CallCategory]]:
    await require_partner(session, partner_id)
    _check_capacity(capacity)
    categories = await resolve_categories(session, partner_id=partner_id, codes=category_codes)
    agent = CallAgent(
        partner_id=partner_id,
        code=str(uuid.uuid4()),
        name=name.strip(),
        capacity=capacity,
        created_at=utcnow(),
    )
    session.add(agent)
    await session.flush()
    await _serve(session, agent, categories)
    return agent, categories


async def update_agent(
    session: AsyncSession,
    *,
    partner_id: int,
    code: str,
    name: str | None = None,
    category_codes: Sequence[str] | None = None,
    capacity: int | None = None,
) -> tuple[CallAgent, list[CallCategory]]:
    """Change what is given; `category_codes` replaces the agent's categories as a whole.

    A lower capacity than the calls in progress ends none of them: the agent is offered no
    more calls until below it again.
    """
    agent = await require_agent(session, partner_id=partner_id, code=code)
    if capacity is not None:
        _check_capacity(capacity)
        agent.capacity = capacity
    if name is not None:
        agent.name = name.strip()
    if category_codes is not None:
        categories = await resolve_categories(session, partner_id=partner_id, codes=category_codes)
        await session.execute(delete(agent_category).where(agent_category.c.agent_id == agent.id))
        await _serve(session, agent, categories)
    await session.flush()
    return agent, (await categories_of(session, [agent.id]))[agent.id]


async def list_agents(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int = 20,
    starting_after: str | None = None,
    category: str | None = None,
    presence: Presence | None = None,
) -> tuple[list[tuple[CallAgent, list[CallCategory]]], bool]:
    """Newest first; `category` keeps the agents serving it (an unknown code matches none)."""
    query = select(CallAgent).where(CallAgent.partner_id == partner_id)
    if starting_after is not None:
        cursor = await _cursor(session, CallAgent, partner_id, starting_after)
        query = query.where(CallAgent.id < cursor)
    if presence is not None:
        query = query.where(CallAgent.presence == presence.value)
    if category is not None:
        serves = exists().where(
            agent_category.c.agent_id == CallAgent.id,
            agent_category.c.category_id == CallCategory.id,
            CallCategory.partner_id == partner_id,
            CallCategory.code == category.lower(),
        )
        query = query.where(serves)
    rows = list(
        (await session.execute(query.order_by(CallAgent.id.desc()).limit(limit + 1))).scalars()
    )
    page = rows[:limit]
    served = await categories_of(session, [agent.id for agent in page])
    return [(agent, served[agent.id]) for agent in page], len(rows) > limit


async def categories_of(
    session: AsyncSession, agent_ids: Sequence[int]
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
    for agent_id, category in (await session.execute(query)).all():
        found[agent_id].append(category)
    return found


async def resolve_categories(
    session: AsyncSession, *, partner_id: int, codes: Sequence[str]
) -> list[CallCategory]:
    """The categories named, once each; an unknown code is a field error naming its position."""
    categories: list[CallCategory] = []
    for index, code in enumerate(codes):
        try:
            category = await require_category(session, partner_id=partner_id, code=code)
        except CategoryNotFound:
            param = f"categories.{index}"
            raise InvalidField(param, "invalid", f"{param}: no category {code}") from None
        if category not in categories:
            categories.append(category)
    return categories


async def require_category(session: AsyncSession, *, partner_id: int, code: str) -> CallCategory:
    category = None
    if is_code(code):
        query = select(CallCategory).where(
            CallCategory.partner_id == partner_id, CallCategory.code == code.lower()
        )
        category = (await session.execute(query)).scalar_one_or_none()
    if category is None:
        raise CategoryNotFound(f"Partner {partner_id} has no category {code}.")
    return category


async def require_agent(session: AsyncSession, *, partner_id: int, code: str) -> CallAgent:
    agent = None
    if is_code(code):
        query = select(CallAgent).where(
            CallAgent.partner_id == partner_id, CallAgent.code == code.lower()
        )
        agent = (await session.execute(query)).scalar_one_or_none()
    if agent is None:
        raise AgentNotFound(f"Partner {partner_id} has no agent {code}.")
    return agent


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_AGENT_CAPACITY:
        raise InvalidField(
            "capacity", "invalid", f"capacity: must be from 1 to {MAX_AGENT_CAPACITY}"
        )


async def _serve(
    session: AsyncSession, agent: CallAgent, categories: Sequence[CallCategory]
) -> None:
    if categories:
        await session.execute(
            insert(agent_category),
            [{"agent_id": agent.id, "category_id": c.id} for c in categories],
        )


async def _cursor(
    session: AsyncSession, model: type[CallCategory] | type[CallAgent], partner_id: int, code: str
) -> int:
    """The row id a page continues after; a code that names no row of this partner is refused
    (an empty page would read as "no more")."""
    found = None
    if is_code(code):
        found = await session.scalar(
            select(model.id).where(model.partner_id == partner_id, model.code == code.lower())
        )
    if found is None:
        raise InvalidField("starting_after", "invalid", f"starting_after: no such code {code}")
    return int(found)
