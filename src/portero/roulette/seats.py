"""A player's provably fair seat: the committed seed of their next round, their client seed
and the next nonce."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.roulette import fairness, repository
from portero.roulette.models import RouletteSeat
from portero.roulette.pg_seats import Seat


async def seat_of(session: AsyncSession, player_key: int, *, lock: bool) -> RouletteSeat:
    """The player's seat, created with a first commitment on first use."""
    seat = await repository.seat(session, player_key, lock=lock)
    if seat is not None:
        return seat
    server_seed = fairness.new_server_seed()
    await repository.add_seat_if_missing(
        session,
        player_key=player_key,
        server_seed=server_seed,
        server_seed_hash=fairness.commitment(server_seed),
        client_seed=fairness.new_client_seed(),
        now=utcnow(),
    )
    created = await repository.seat(session, player_key, lock=lock)  # ours, or the racer's
    assert created is not None
    return created


def commit_to_the_next_seed(seat: Seat, now: datetime) -> None:
    """The round's seed is revealed (kept on the round); the seat commits to a fresh one."""
    next_seed = fairness.new_server_seed()
    seat.server_seed = next_seed
    seat.server_seed_hash = fairness.commitment(next_seed)
    seat.nonce += 1
    seat.updated_at = now
