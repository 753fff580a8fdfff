"""Queries on a player's slot spins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.slots.models import SlotSpin


async def add(session: AsyncSession, spin: SlotSpin) -> None:
    session.add(spin)
    await session.flush()


async def spin_by_request(
    session: AsyncSession, *, player_key: int, request_id: str
) -> SlotSpin | None:
    """The spin the player's page asked for under this id, if it was played."""
    query = select(SlotSpin).where(
        SlotSpin.player_id == player_key, SlotSpin.request_id == request_id
    )
    found: SlotSpin | None = await session.scalar(query)
    return found


async def spins(
    session: AsyncSession, *, player_key: int, game_id: str, limit: int
) -> list[SlotSpin]:
    """The player's spins on one game, newest first."""
    query = (
        select(SlotSpin)
        .where(SlotSpin.player_id == player_key, SlotSpin.game_id == game_id)
        .order_by(SlotSpin.created_at.desc(), SlotSpin.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
