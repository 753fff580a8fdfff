"""Queries on a player's roulette seat (the committed seeds); the rounds are game rounds
(rounds/repository.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import dialect_insert
from portero.roulette.models import RouletteSeat


async def seat(session: AsyncSession, player_key: int, *, lock: bool) -> RouletteSeat | None:
    """The player's seat; `lock` holds its row until the transaction ends."""
    query = select(RouletteSeat).where(RouletteSeat.player_id == player_key)
    if lock:
        query = query.with_for_update()
    query = query.execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def add_seat_if_missing(
    session: AsyncSession,
    *,
    player_key: int,
    server_seed: str,
    server_seed_hash: str,
    client_seed: str,
    now: datetime,
) -> None:
    """A first seat for the player; nothing if a racing request made one first."""
    await session.execute(
        dialect_insert(session)(RouletteSeat)
        .values(
            player_id=player_key,
            server_seed=server_seed,
            server_seed_hash=server_seed_hash,
            client_seed=client_seed,
            nonce=0,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["player_id"])
    )
