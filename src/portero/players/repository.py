"""Queries on the partners' players, each scoped to the partner (kit/tenancy.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import dialect_insert
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


async def ensure(
    session: AsyncSession, *, partner_id: int, external_id: str, now: datetime
) -> Player:
    """The partner's player by its id, registered bare (no details) if new: a transfer
    partner may move money in before the player's first launch."""
    await session.execute(
        dialect_insert(session)(Player)
        .values(partner_id=partner_id, external_id=external_id, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["partner_id", "external_id"])
    )
    player = await get_by_external_id(session, partner_id=partner_id, external_id=external_id)
    assert player is not None  # inserted, or there before
    return player
