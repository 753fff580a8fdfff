"""The roulette seat on the round's asyncpg connection (rounds/pg_ledger.py): the same row
as `repository.seat`, read before the round and moved by the round's own statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from portero.roulette.models import RouletteSeat

SEAT = """
SELECT player_id, server_seed, server_seed_hash, client_seed, nonce, updated_at
FROM roulette_seat WHERE player_id = $1"""

# Parts of the round's statement (rounds.games.StateChange: $3 the round's time, $4 the
# player's key, ours from $16). The nonce moves with every round, so a seat whose nonce, seed
# and client seed are as read is the seat the outcome was drawn from.
LOCK_AS_READ = """
    SELECT 1 FROM roulette_seat
    WHERE player_id = $4 AND nonce = $16 AND server_seed = $17 AND client_seed = $18
    FOR UPDATE"""

SAVE = """
    UPDATE roulette_seat
    SET server_seed = $19, server_seed_hash = $20, client_seed = $21, nonce = $22,
        updated_at = $3
    WHERE player_id = $4 AND EXISTS (SELECT 1 FROM account)"""


@dataclass(slots=True)
class SeatRow:
    """The seat as the fast path reads it: `RouletteSeat`'s columns without the ORM's
    instrumentation (its constructor took 3 % of a roulette round's CPU)."""

    player_id: int
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int
    updated_at: datetime


# A seat, whichever path read it.
Seat = RouletteSeat | SeatRow


async def seat(connection: asyncpg.Connection, player_key: int) -> SeatRow | None:
    """The player's seat, or None before the first."""
    row = await connection.fetchrow(SEAT, player_key)
    return None if row is None else SeatRow(**dict(row))
