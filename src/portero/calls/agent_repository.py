"""Statements on an agent's row as routing sees it: presence, heartbeat, the offer ringing, the
calls in progress. Each change is one conditional UPDATE that reports whether it matched; what
a miss means is decided by the services (routing.py, presence.py, ending.py).

Agent ids come from a console's own session or from a call already routed to the agent, and the
clock serves every partner: reads here are across partners by design (kit/tenancy.py), except
the search for free agents, which is scoped to the call's partner.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import AGENT, OFFER, Presence, agent_category
from portero.kit.db import AnyRow, matched
from portero.kit.tenancy import across_partners, for_partner


def _can_take_an_offer(now: datetime, grace: timedelta) -> ColumnElement[bool]:
    return and_(
        AGENT.c.presence == Presence.available.value,
        AGENT.c.seen_at > now - grace,
        AGENT.c.offer_call_id.is_(None),
        AGENT.c.active_calls < AGENT.c.capacity,
    )


def _free(
    *, agent_id: int | None, category_id: int | None, now: datetime, grace: timedelta
) -> Select[Any]:
    """Agents free to take an offer now (the one agent, or those serving the category, or
    any), longest idle first."""
    query = select(AGENT.c.id).where(_can_take_an_offer(now, grace))
    if agent_id is not None:
        query = query.where(AGENT.c.id == agent_id)
    elif category_id is not None:
        serves = exists().where(
            agent_category.c.agent_id == AGENT.c.id,
            agent_category.c.category_id == category_id,
        )
        query = query.where(serves)
    return query.order_by(func.coalesce(AGENT.c.idle_since, AGENT.c.created_at), AGENT.c.id)


async def free_agents(
    session: AsyncSession,
    *,
    partner_id: int,
    call_id: str,
    agent_id: int | None,
    category_id: int | None,
    now: datetime,
    grace: timedelta,
    limit: int,
) -> list[int]:
    """Agents of the partner free to take the call (the one agent, or those serving the
    category, or any), longest idle first, without those it already rang on."""
    already_rang = exists().where(OFFER.c.call_id == call_id, OFFER.c.agent_id == AGENT.c.id)
    query = _free(agent_id=agent_id, category_id=category_id, now=now, grace=grace)
    found = await session.execute(
        for_partner(query.where(~already_rang), AGENT, partner_id).limit(limit)
    )
    return list(found.scalars())


async def free_for_transfer(
    session: AsyncSession,
    *,
    partner_id: int,
    agent_id: int | None,
    category_id: int | None,
    besides: int,
    now: datetime,
    grace: timedelta,
    limit: int,
) -> list[int]:
    """Agents of the partner free to take a transfer (the one agent, or those serving the
    category), longest idle first, other than `besides` (the agent handing the call over)."""
    query = _free(agent_id=agent_id, category_id=category_id, now=now, grace=grace)
    found = await session.execute(
        for_partner(query.where(AGENT.c.id != besides), AGENT, partner_id).limit(limit)
    )
    return list(found.scalars())


async def claim_for_offer(
    session: AsyncSession, *, agent_id: int, call_id: str, now: datetime, grace: timedelta
) -> bool:
    """The agent, if still free, has `call_id` ringing."""
    claimed = await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, _can_take_an_offer(now, grace))
        .values(offer_call_id=call_id)
    )
    return matched(claimed)


async def release_offer(session: AsyncSession, *, agent_id: int, call_id: str) -> bool:
    """`call_id` stops ringing on the agent, if it still rang there."""
    released = await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, AGENT.c.offer_call_id == call_id)
        .values(offer_call_id=None)
    )
    return matched(released)


async def answer_offer(session: AsyncSession, *, agent_id: int, call_id: str) -> bool:
    """The call ringing on the agent becomes one of their calls in progress."""
    taken = await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id, AGENT.c.offer_call_id == call_id)
        .values(offer_call_id=None, active_calls=AGENT.c.active_calls + 1)
    )
    return matched(taken)


async def call_finished(session: AsyncSession, *, agent_id: int, now: datetime) -> None:
    """One call in progress fewer; the agent is idle from now (for longest-idle routing)."""
    await session.execute(
        update(AGENT)
        .where(AGENT.c.id == agent_id)
        .values(active_calls=AGENT.c.active_calls - 1, idle_since=now)
    )


async def lock_presence(session: AsyncSession, agent_id: int) -> AnyRow:
    """The agent's presence, offer and partner, its row locked until the transaction ends."""
    query = select(AGENT.c.presence, AGENT.c.offer_call_id, AGENT.c.partner_id).where(
        AGENT.c.id == agent_id
    )
    return (await session.execute(across_partners(query).with_for_update())).one()


async def set_presence(
    session: AsyncSession, *, agent_id: int, presence: Presence, now: datetime, changed: bool
) -> None:
    """Presence as the console set it (a heartbeat too); `changed`: it differs from before,
    and an agent becoming available is idle from now."""
    values: dict[str, object] = {"presence": presence.value, "seen_at": now}
    if changed:
        values["presence_changed_at"] = now
        if presence is Presence.available:
            values["idle_since"] = now
    await session.execute(update(AGENT).where(AGENT.c.id == agent_id).values(**values))


async def seen(session: AsyncSession, *, agent_id: int, now: datetime) -> None:
    await session.execute(update(AGENT).where(AGENT.c.id == agent_id).values(seen_at=now))


async def set_silent_offline(
    session: AsyncSession, *, seen_before: datetime, now: datetime
) -> list[tuple[int, str | None]]:
    """Agents not seen since `seen_before` go offline: (agent id, the offer ringing there).
    `offline` is sent as a literal, so that even a generic plan uses `ix_call_agent_present`."""
    offline = literal(Presence.offline.value, literal_execute=True)
    gone = await session.execute(
        update(AGENT)
        .where(AGENT.c.presence != offline, AGENT.c.seen_at <= seen_before)
        .values(presence=Presence.offline.value, presence_changed_at=now)
        .returning(AGENT.c.id, AGENT.c.offer_call_id)
    )
    return [(int(agent_id), offer) for agent_id, offer in gone.all()]
