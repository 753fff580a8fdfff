"""Queries on the partners' players, each scoped to the partner (kit/tenancy.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.tenancy import for_partner
from portero.players.models import Player


async def get_by_external_id(
    session: AsyncSession, *, partner_id: int, external_id: str
) -> Player | None:
    query = for_partner(select(Player).where(Player.external_id == external_id), Player, partner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get(session: AsyncSession, *, partner_id: int, player_id: int) -> Player | None:
    query = for_partner(select(Player).where(Player.id == player_id), Player, partner_id)
    return (await session.execute(query)).scalar_one_or_none()
