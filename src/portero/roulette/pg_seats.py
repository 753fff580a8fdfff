"""The roulette seat on the round's asyncpg connection (rounds/pg_ledger.py): the same row
as `repository.seat`, locked and written in the round's transaction."""

from __future__ import annotations

import asyncpg

from portero.roulette.models import RouletteSeat

LOCKED_SEAT = """
SELECT player_id, server_seed, server_seed_hash, client_seed, nonce, updated_at
FROM roulette_seat WHERE player_id = $1 FOR UPDATE"""

SAVE_SEAT = """
UPDATE roulette_seat
SET server_seed = $2, server_seed_hash = $3, client_seed = $4, nonce = $5, updated_at = $6
WHERE player_id = $1"""


async def locked_seat(connection: asyncpg.Connection, player_key: int) -> RouletteSeat | None:
    """The player's seat (not attached to any SQLAlchemy session), or None before the first."""
    row = await connection.fetchrow(LOCKED_SEAT, player_key)
    return None if row is None else RouletteSeat(**dict(row))


async def save_seat(connection: asyncpg.Connection, seat: RouletteSeat) -> None:
    await connection.execute(
        SAVE_SEAT,
        seat.player_id,
        seat.server_seed,
        seat.server_seed_hash,
        seat.client_seed,
        seat.nonce,
        seat.updated_at,
    )
