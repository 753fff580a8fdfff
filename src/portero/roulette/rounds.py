"""A roulette spin as the shared round path plays it (rounds/games.py): every bet of the spin
one round, one stake, one return; drawn from the seat's committed seed once the money is
sure, and the seat then commits to the next seed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.errors import PorteroError
from portero.launches.opening import PlayContext
from portero.partners.terms import CurrencyTerms
from portero.roulette import bets as rules
from portero.roulette import fairness, pg_seats, seats
from portero.roulette.errors import IllegalBet, RoundIdReused, StakeOutOfLimits
from portero.roulette.pg_seats import Seat
from portero.roulette.schemas import BetIn, SpinIn
from portero.rounds.games import Drawn, StateChange
from portero.wallet.currency import to_major


def place_bets(requested: Sequence[BetIn], terms: CurrencyTerms, currency: str) -> list[rules.Bet]:
    """The bets as the engine knows them, or the first refusal (nothing is written before)."""
    placed: list[rules.Bet] = []
    spots: dict[tuple[rules.BetType, frozenset[int]], int] = {}
    for index, bet in enumerate(requested):
        where = f"bets.{index}"
        try:
            numbers = rules.covered_numbers(bet.type, numbers=bet.numbers, target=bet.target)
        except rules.IllegalBet as error:
            raise IllegalBet(f"{where}: {error}", param=where) from None
        if bet.type in rules.INSIDE and len(bet.numbers or ()) != len(numbers):
            raise IllegalBet(f"{where}: a number is listed twice", param=where)
        if not terms.min_bet <= bet.amount <= terms.max_bet:
            raise StakeOutOfLimits(
                f"{where}.amount: {bet.amount} is outside the table limits "
                f"{terms.min_bet}-{terms.max_bet} ({to_major(terms.min_bet, currency)}-"
                f"{to_major(terms.max_bet, currency)} {currency})",
                param=f"{where}.amount",
            )
        earlier = spots.setdefault((bet.type, numbers), index)
        if earlier != index:
            raise IllegalBet(
                f"{where}: the same spot as bets.{earlier}; send one bet per spot", param=where
            )
        placed.append(rules.Bet(bet.type, numbers, bet.amount))
    return placed


def request_hash(request: SpinIn) -> bytes:
    """The same bets in another order, or a split sent as [2, 1] rather than [1, 2], are the
    same request."""
    bets = sorted(  # sorted as text: fields may be null in some bets and not in others
        json.dumps(
            [bet.type.value, sorted(bet.numbers) if bet.numbers else bet.numbers, bet.target,
             bet.amount]
        )
        for bet in request.bets
    )  # fmt: skip
    canonical = json.dumps({"bets": bets, "client_seed": request.client_seed}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).digest()


class RouletteSpin:
    """One request's spin (rounds.games.RoundGame)."""

    product = "roulette"
    game_id = "roulette"
    game_type = "roulette"
    has_state = True

    def __init__(self, context: PlayContext, request: SpinIn, terms: CurrencyTerms) -> None:
        self.context = context
        self.request = request
        self.terms = terms
        self.request_id = request.round_id
        self.request_hash = request_hash(request)
        self.placed: list[rules.Bet] = []
        self.seat: Seat | None = None  # once locked: the seat, as the round left it
        # On the fast path (rounds/pg_ledger.py): the seat's nonce, seed and client seed as read.
        self._as_read: tuple[int, str, str] | None = None

    def stake(self) -> int:
        self.placed = place_bets(self.request.bets, self.terms, self.context.currency)
        return sum(bet.amount for bet in self.placed)

    def units(self) -> list[int]:
        """A bet returns a whole multiple of its own amount (35:1 and its stake back…)."""
        return [bet.amount for bet in self.placed]

    def reused(self) -> PorteroError:
        return RoundIdReused(param="round_id")

    async def lock(self, session: AsyncSession) -> None:
        self.seat = await seats.seat_of(session, self.context.player_key, lock=True)

    async def draw(self, session: AsyncSession) -> Drawn:
        drawn = self.outcome()
        await session.flush()
        return drawn

    async def read_state(self, connection: asyncpg.Connection) -> bool:
        self.seat = await pg_seats.seat(connection, self.context.player_key)
        if self.seat is None:
            return False
        self._as_read = (self.seat.nonce, self.seat.server_seed, self.seat.client_seed)
        return True

    def state_change(self) -> StateChange:
        seat, as_read = self.seat, self._as_read
        assert seat is not None, "read_state() comes first"
        assert as_read is not None, "read_state() comes first"
        moved = (seat.server_seed, seat.server_seed_hash, seat.client_seed, seat.nonce)
        return StateChange(pg_seats.LOCK_AS_READ, pg_seats.SAVE, as_read + moved)

    def outcome(self) -> Drawn:
        seat = self.seat
        assert seat is not None, "lock() comes first"
        if self.request.client_seed is not None:
            seat.client_seed = self.request.client_seed
        number = fairness.draw(seat.server_seed, seat.client_seed, seat.nonce)
        outcome = {
            "bets": _bet_records(self.placed, self.request.bets, number),
            "number": number,
            "fairness": {
                "server_seed": seat.server_seed,
                "server_seed_hash": seat.server_seed_hash,
                "client_seed": seat.client_seed,
                "nonce": seat.nonce,
            },
        }
        seats.commit_to_the_next_seed(seat, utcnow())
        return Drawn(payout=rules.total_return(self.placed, number), outcome=outcome)


def _bet_records(
    placed: Sequence[rules.Bet], asked: Sequence[BetIn], number: int
) -> list[dict[str, object]]:
    """The round's bets as kept: each with the spot asked for and what it returned."""
    return [
        {
            "type": bet.type.value,
            "numbers": sorted(bet.numbers),
            "target": wanted.target if bet.type in rules.TARGETED else None,
            "amount": bet.amount,
            "returned": bet.returns(number),
        }
        for bet, wanted in zip(placed, asked, strict=True)
    ]
