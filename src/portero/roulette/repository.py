"""Queries on a player's roulette seat (the committed seeds) and rounds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import dialect_insert
from portero.roulette.models import RouletteRound, RouletteSeat


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


def add_round(session: AsyncSession, played: RouletteRound) -> None:
    """Written with the seat's change, at the caller's next flush."""
    session.add(played)


async def round_by_request(
    session: AsyncSession, *, player_key: int, request_id: str
) -> RouletteRound | None:
    """The round the player's page asked for under this id, if it was played."""
    query = select(RouletteRound).where(
        RouletteRound.player_id == player_key, RouletteRound.request_id == request_id
    )
    found: RouletteRound | None = await session.scalar(query)
    return found


async def last_numbers(session: AsyncSession, player_key: int, *, limit: int) -> list[int]:
    query = (
        select(RouletteRound.number)
        .where(RouletteRound.player_id == player_key)
        .order_by(RouletteRound.created_at.desc(), RouletteRound.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def rounds(session: AsyncSession, player_key: int, *, limit: int) -> list[RouletteRound]:
    """The player's rounds, newest first."""
    query = (
        select(RouletteRound)
        .where(RouletteRound.player_id == player_key)
        .order_by(RouletteRound.created_at.desc(), RouletteRound.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
