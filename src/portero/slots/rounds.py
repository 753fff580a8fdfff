"""A slot spin as the shared round path plays it (rounds/games.py): the base spin and all its
free spins one round, one stake (the bet), one return (every win)."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.errors import PorteroError
from portero.launches.opening import PlayContext
from portero.rounds.games import Drawn, StateChange
from portero.slots.errors import BetNotOffered, SpinIdReused
from portero.slots.games import engine
from portero.slots.games.engine import Outcome, RandBelow
from portero.slots.games.spec import GameSpec
from portero.slots.schemas import SpinIn
from portero.wallet.currency import to_major


def bet_levels(game: GameSpec, currency: str) -> list[int]:
    return [value * game.bet_multiplier for value in game.credit_values[currency]]


def outcome_record(outcome: Outcome, credit_value: int) -> dict[str, Any]:
    """The outcome as stored and shown: every amount in minor units."""

    def reel_spin(spin: engine.Spin) -> dict[str, Any]:
        return {
            "stops": spin.stops,
            "window": spin.window,
            "multiplier": spin.multiplier,
            "wins": [
                {
                    "kind": win.kind,
                    "symbol": win.symbol,
                    "count": win.count,
                    "line": win.line,
                    "ways": win.ways,
                    "positions": win.positions,
                    "amount": win.credits * spin.multiplier * credit_value,
                }
                for win in spin.evaluation.wins
            ],
            "amount": spin.credits * credit_value,
            "free_spins_awarded": spin.evaluation.free_spins,
        }

    return {
        "credit_value": credit_value,
        "base": reel_spin(outcome.base),
        "free_spins": [reel_spin(spin) for spin in outcome.free_spins],
    }


class SlotSpin:
    """One request's spin (rounds.games.RoundGame)."""

    product = "slot"
    game_type = "slots"
    has_state = False

    def __init__(
        self, context: PlayContext, game: GameSpec, request: SpinIn, randbelow: RandBelow
    ) -> None:
        self.context = context
        self.game = game
        self.bet = request.bet
        self.game_id = game.id
        self.request_id = request.spin_id
        # The same id in another currency (another launch of the player) is another request.
        self.request_hash = hashlib.sha256(
            f"{game.id}:{context.currency}:{request.bet}".encode()
        ).digest()
        self.randbelow = randbelow
        self._drawn: Drawn | None = None

    def stake(self) -> int:
        levels = bet_levels(self.game, self.context.currency)
        if self.bet not in levels:
            currency = self.context.currency
            offered = ", ".join(str(to_major(level, currency)) for level in levels)
            raise BetNotOffered(
                f"bet: {self.bet} is not a bet level of {self.game.id} in {currency} "
                f"(minor units; offered: {offered} {currency})",
                param="bet",
            )
        return self.bet

    def units(self) -> list[int]:
        """Every win is a whole number of credits of the bet's credit value."""
        return [self.bet, self.bet // self.game.bet_multiplier]

    def reused(self) -> PorteroError:
        return SpinIdReused(param="spin_id")

    async def lock(self, session: AsyncSession) -> None:
        """Nothing of its own: the player's account (or, seamless, nothing) serialises."""

    async def draw(self, session: AsyncSession) -> Drawn:
        return self.outcome()

    def outcome(self) -> Drawn:
        """Drawn once per request: a round the fast path hands to the general one (a first
        demo round, say) shows the same reels, so no outcome depends on the way it took."""
        if self._drawn is None:
            credit_value = self.bet // self.game.bet_multiplier
            outcome = engine.play(self.game, self.randbelow)
            self._drawn = Drawn(
                payout=outcome.credits * credit_value,
                outcome=outcome_record(outcome, credit_value),
            )
        return self._drawn

    async def read_state(self, connection: asyncpg.Connection) -> bool:
        return True  # nothing of its own

    def state_change(self) -> StateChange:
        raise AssertionError("a slot spin has no row of its own (has_state is False)")
