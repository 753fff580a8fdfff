from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.players.models import Player


async def get_by_external_id(
    session: AsyncSession, *, partner_id: int, external_id: str
) -> Player | None:
    query = select(Player).where(Player.partner_id == partner_id, Player.external_id == external_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get(session: AsyncSession, *, partner_id: int, player_id: int) -> Player | None:
    query = select(Player).where(Player.partner_id == partner_id, Player.id == player_id)
    return (await session.execute(query)).scalar_one_or_none()
