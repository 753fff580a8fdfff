"""Queries on opening hours: a category's own, and the partner's default (calls/hours.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import CATEGORY
from portero.kit.tenancy import for_partner
from portero.partners.models import Partner


async def effective(
    session: AsyncSession, *, partner_id: int, category_id: int | None
) -> dict[str, Any] | None:
    """The category's hours if it has some, else the partner's (one statement)."""
    partner_hours = select(Partner.call_hours).where(Partner.id == partner_id).scalar_subquery()
    if category_id is None:
        return await session.scalar(select(partner_hours))
    query = for_partner(
        select(CATEGORY.c.hours, partner_hours).where(CATEGORY.c.id == category_id),
        CATEGORY,
        partner_id,
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    own, default = row
    found: dict[str, Any] | None = own if own is not None else default
    return found


async def partner_hours(session: AsyncSession, *, partner_id: int) -> dict[str, Any] | None:
    return await session.scalar(select(Partner.call_hours).where(Partner.id == partner_id))


async def set_partner_hours(
    session: AsyncSession, *, partner_id: int, hours: dict[str, Any] | None
) -> None:
    await session.execute(update(Partner).where(Partner.id == partner_id).values(call_hours=hours))
