"""Categories and agents: created by the CLI (and, with the call product, the native API);
looked up by the code a partner sends."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.errors import AgentNotFound, CategoryNotFound
from portero.calls.models import CallAgent, CallCategory, agent_category
from portero.kit.clock import utcnow
from portero.partners.service import require_partner


async def add_category(session: AsyncSession, *, partner_id: int, name: str) -> CallCategory:
    await require_partner(session, partner_id)
    category = CallCategory(
        partner_id=partner_id, code=str(uuid.uuid4()), name=name.strip(), created_at=utcnow()
    )
    session.add(category)
    await session.flush()
    return category


async def add_agent(
    session: AsyncSession, *, partner_id: int, name: str, category_codes: Sequence[str] = ()
) -> tuple[CallAgent, list[CallCategory]]:
    await require_partner(session, partner_id)
    categories = [
        await require_category(session, partner_id=partner_id, code=c) for c in category_codes
    ]
    agent = CallAgent(
        partner_id=partner_id,
        code=str(uuid.uuid4()),
        name=name.strip(),
        capacity=1,
        created_at=utcnow(),
    )
    session.add(agent)
    await session.flush()
    if categories:
        await session.execute(
            insert(agent_category),
            [{"agent_id": agent.id, "category_id": c.id} for c in categories],
        )
    return agent, categories


async def require_category(session: AsyncSession, *, partner_id: int, code: str) -> CallCategory:
    query = select(CallCategory).where(
        CallCategory.partner_id == partner_id, CallCategory.code == code.lower()
    )
    category = (await session.execute(query)).scalar_one_or_none()
    if category is None:
        raise CategoryNotFound(f"Partner {partner_id} has no category {code}.")
    return category


async def require_agent(session: AsyncSession, *, partner_id: int, code: str) -> CallAgent:
    query = select(CallAgent).where(
        CallAgent.partner_id == partner_id, CallAgent.code == code.lower()
    )
    agent = (await session.execute(query)).scalar_one_or_none()
    if agent is None:
        raise AgentNotFound(f"Partner {partner_id} has no agent {code}.")
    return agent
