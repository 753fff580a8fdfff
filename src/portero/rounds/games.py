"""What the round path asks of a game, and what it answers.

A game (roulette/rounds.py, slots/rounds.py) is built for one request: it knows the request's
round id and fingerprint, validates the stake before anything is written, takes its own lock
(the roulette seat) and draws the outcome. The round path decides everything about money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.errors import PorteroError
from portero.kit.ids import new_id
from portero.launches.opening import PlayContext
from portero.rounds.models import GameRound, RoundStatus


@dataclass(frozen=True, slots=True)
class Drawn:
    payout: int  # the whole return of the round (stakes back included), minor units
    outcome: dict[str, Any]  # what the player is shown, as kept on the round


class RoundGame(Protocol):
    product: str  # "roulette", "slot"
    game_id: str  # "roulette", or the slot game's id
    game_type: str  # One Wallet's game.type: "roulette", "slots"
    request_id: str  # the page's id for the round
    request_hash: bytes  # what makes a repeat "the same request"

    def stake(self) -> int:
        """The round's whole stake, or the game's refusal (nothing is written before)."""
        ...

    def units(self) -> list[int]:
        """After `stake()`: the amounts whose whole multiples make up every return the round
        can pay (each roulette bet's amount; a slot bet's credit value)."""
        ...

    def reused(self) -> PorteroError:
        """The game's error for a round id already played with another request."""
        ...

    async def lock(self, session: AsyncSession) -> None:
        """Take the game's own row (the roulette seat) before anything else of the round, so
        that a player's rounds take their locks in one order."""
        ...

    async def draw(self, session: AsyncSession) -> Drawn:
        """The outcome, from state locked by `lock` (called in the same transaction)."""
        ...


@dataclass(frozen=True, slots=True)
class StateChange:
    """How the round's one statement checks and moves a game's own row (rounds/pg_ledger.py):
    `lock`, a SELECT … FOR UPDATE that finds the row only as the game read it; `save`, an
    UPDATE run only if the money moved (`EXISTS (SELECT 1 FROM account)`). Both number their
    parameters from $16 (`arguments`); $3 is the round's time and $4 the player's key."""

    lock: str
    save: str
    arguments: tuple[object, ...]


class FastGame(RoundGame, Protocol):
    """A game as the ledger's fast path on PostgreSQL plays it (rounds/pg_ledger.py), on a
    bare asyncpg connection rather than a session."""

    # Whether the game keeps a row of its own per player (the roulette seat): it is read
    # first, and the round's statement moves it only if nobody else has meanwhile.
    has_state: bool

    def outcome(self) -> Drawn:
        """The outcome, from the state `read_state` read (none without `has_state`)."""
        ...

    async def read_state(self, connection: asyncpg.Connection) -> bool:
        """With `has_state`: read the game's row, without a lock; False if there is none yet
        (the round path then makes it)."""
        ...

    def state_change(self) -> StateChange:
        """With `has_state`, after `outcome`: the row as read, and as the round leaves it."""
        ...


@dataclass(frozen=True, slots=True)
class PlayedRound:
    round: Round
    # The player's balance after the round as far as Portero knows it (the ledger's; the last
    # one the partner's wallet reported), minor units.
    balance: int | None
    replayed: bool  # the round id had been played: this is its first answer again
    # With responsible-gaming limits: the session's net loss once this round was counted
    # (rounds/limits.py); None when this request counted nothing (no limits, or a replay).
    session_net_loss: int | None = None

    @property
    def win_pending(self) -> bool:
        """Drawn and shown, but the partner's wallet has not yet confirmed the return."""
        return self.round.status == RoundStatus.crediting


@dataclass(slots=True)
class RoundRecord:
    """A round as the ledger's fast path writes it (rounds/pg_ledger.py): `GameRound`'s
    columns without the ORM's instrumentation (its constructor alone took 4 % of a slot
    spin's CPU), for a round no session will ever hold."""

    id: str
    partner_id: int
    player_id: int
    launch_id: str
    product: str
    game_id: str
    request_id: str
    request_hash: bytes
    currency: str
    wallet_mode: str
    status: str
    stake: int
    created_at: datetime
    updated_at: datetime
    payout: int | None = None
    balance_after: int | None = None
    outcome: dict[str, Any] | None = None
    wallet_status: str | None = None
    note: str | None = None
    settled_at: datetime | None = None


# A round as the play APIs answer it, whichever path played it.
Round = GameRound | RoundRecord


def _first_written(
    context: PlayContext, game: RoundGame, *, mode: str, status: str, stake: int, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id("rnd"),
        "partner_id": context.partner_id,
        "player_id": context.player_key,
        "launch_id": context.launch_id,
        "product": game.product,
        "game_id": game.game_id,
        "request_id": game.request_id,
        "request_hash": game.request_hash,
        "currency": context.currency,
        "wallet_mode": mode,
        "status": status,
        "stake": stake,
        "created_at": now,
        "updated_at": now,
    }


def new_round(
    context: PlayContext,
    game: RoundGame,
    *,
    mode: str,
    status: str,
    stake: int,
    now: datetime,
    **values: Any,
) -> GameRound:
    """A round of `game` for the session's player, as first written."""
    first = _first_written(context, game, mode=mode, status=status, stake=stake, now=now)
    return GameRound(**first, **values)


def round_record(
    context: PlayContext,
    game: RoundGame,
    *,
    mode: str,
    status: str,
    stake: int,
    now: datetime,
    **values: Any,
) -> RoundRecord:
    """As `new_round`, for the fast path's statement to write."""
    first = _first_written(context, game, mode=mode, status=status, stake=stake, now=now)
    return RoundRecord(**first, **values)
