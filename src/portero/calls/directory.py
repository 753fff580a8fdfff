"""Categories and agents: created by the CLI and the native API; looked up by the code a
partner sends (queries in directory_repository.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import directory_repository as repository
from portero.calls.errors import AgentNotFound, CategoryNotFound
from portero.calls.models import CallAgent, CallCategory, Presence
from portero.kit.clock import utcnow
from portero.kit.errors import InvalidField
from portero.kit.pagination import Page
from portero.kit.validation import check_display_text
from portero.partners.service import require_partner

# How many customers one agent may talk to at once: a video call each, so a handful at most.
MAX_AGENT_CAPACITY = 10
# Codes are UUIDs Portero generated; anything else cannot name a row (and is not sent to the
# database, where a NUL byte would be a PostgreSQL error rather than "not found").
_CODE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_code(value: str) -> bool:
    return bool(_CODE.match(value.lower()))


def _display_name(name: str) -> str:
    """A name agents and customers read, whoever gives it (the API checks it too, the CLI
    only here): trimmed, and nothing invisible or direction-changing (kit/text.py)."""
    try:
        return check_display_text(name.strip())
    except ValueError as refused:
        raise InvalidField("name", "invalid", f"name {refused}.") from None


async def add_category(session: AsyncSession, *, partner_id: int, name: str) -> CallCategory:
    await require_partner(session, partner_id)
    category = CallCategory(
        partner_id=partner_id, code=str(uuid.uuid4()), name=_display_name(name), created_at=utcnow()
    )
    await repository.add(session, category)
    return category


async def update_category(
    session: AsyncSession, *, partner_id: int, code: str, name: str | None = None
) -> CallCategory:
    category = await require_category(session, partner_id=partner_id, code=code)
    if name is not None:
        category.name = _display_name(name)
        await session.flush()
    return category


async def list_categories(
    session: AsyncSession, *, partner_id: int, limit: int = 20, starting_after: str | None = None
) -> Page[CallCategory]:
    """Newest first; `starting_after` is the code of the last category of the previous page."""
    after = await _cursor(session, CallCategory, partner_id, starting_after)
    return await repository.list_categories(
        session, partner_id=partner_id, limit=limit, after_id=after
    )


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
        name=_display_name(name),
        capacity=capacity,
        created_at=utcnow(),
    )
    await repository.add(session, agent)
    await repository.serve(session, agent_id=agent.id, category_ids=[c.id for c in categories])
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
        agent.name = _display_name(name)
    if category_codes is not None:
        categories = await resolve_categories(session, partner_id=partner_id, codes=category_codes)
        await repository.serve_only(
            session, agent_id=agent.id, category_ids=[c.id for c in categories]
        )
    await session.flush()
    return agent, (await categories_of(session, partner_id=partner_id, agent_ids=[agent.id]))[
        agent.id
    ]


async def list_agents(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int = 20,
    starting_after: str | None = None,
    category: str | None = None,
    presence: Presence | None = None,
) -> Page[tuple[CallAgent, list[CallCategory]]]:
    """Newest first; `category` keeps the agents serving it (an unknown code matches none)."""
    page = await repository.list_agents(
        session,
        partner_id=partner_id,
        limit=limit,
        after_id=await _cursor(session, CallAgent, partner_id, starting_after),
        category_code=category.lower() if category is not None else None,
        presence=presence,
    )
    served = await categories_of(
        session, partner_id=partner_id, agent_ids=[agent.id for agent in page.items]
    )
    return Page([(agent, served[agent.id]) for agent in page.items], page.has_more)


async def categories_of(
    session: AsyncSession, *, partner_id: int, agent_ids: Sequence[int]
) -> dict[int, list[CallCategory]]:
    """Each agent's categories, oldest first."""
    return await repository.categories_of(session, partner_id=partner_id, agent_ids=agent_ids)


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
        category = await repository.category_by_code(
            session, partner_id=partner_id, code=code.lower()
        )
    if category is None:
        raise CategoryNotFound(f"Partner {partner_id} has no category {code}.")
    return category


async def require_agent(session: AsyncSession, *, partner_id: int, code: str) -> CallAgent:
    agent = None
    if is_code(code):
        agent = await repository.agent_by_code(session, partner_id=partner_id, code=code.lower())
    if agent is None:
        raise AgentNotFound(f"Partner {partner_id} has no agent {code}.")
    return agent


async def agent_id(session: AsyncSession, *, partner_id: int, code: str) -> int | None:
    """The agent a code names, if it still exists (None for anything that is not a code)."""
    if not is_code(code):
        return None
    return await repository.id_by_code(session, CallAgent, partner_id=partner_id, code=code.lower())


async def category_id(session: AsyncSession, *, partner_id: int, code: str) -> int | None:
    """The category a code names, if it still exists (None for anything that is not a code)."""
    if not is_code(code):
        return None
    return await repository.id_by_code(
        session, CallCategory, partner_id=partner_id, code=code.lower()
    )


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_AGENT_CAPACITY:
        raise InvalidField(
            "capacity", "invalid", f"capacity: must be from 1 to {MAX_AGENT_CAPACITY}"
        )


async def _cursor(
    session: AsyncSession, model: repository.Directory, partner_id: int, code: str | None
) -> int | None:
    """The row id a page continues after; a code that names no row of this partner is refused
    (an empty page would read as "no more")."""
    if code is None:
        return None
    found = None
    if is_code(code):
        found = await repository.id_by_code(
            session, model, partner_id=partner_id, code=code.lower()
        )
    if found is None:
        raise InvalidField("starting_after", "invalid", f"starting_after: no such code {code}")
    return found
