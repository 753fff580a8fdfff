"""The table: its state for the page, a spin settled with its money, the player's history.

Each function runs in the caller's transaction (one per request). A spin locks the player's
seat row first, so that two spins of one player (two tabs, a retry racing the original) run
one after the other; the money itself is guarded by the ledger's conditional debit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.ids import new_id
from portero.launches.opening import PlayContext
from portero.partners import service as partners
from portero.partners.terms import CurrencyTerms
from portero.products.registry import ProductName
from portero.roulette import bets as rules
from portero.roulette import fairness, repository
from portero.roulette.errors import IllegalBet, RoundIdReused, StakeOutOfLimits, TableClosed
from portero.roulette.models import RouletteRound, RouletteSeat
from portero.roulette.schemas import BetIn, SpinIn
from portero.wallet import ledger
from portero.wallet.currency import to_major
from portero.wallet.models import WalletAccount

LAST_NUMBERS = 12
CHIP_MULTIPLES = (1, 5, 25, 100, 500)


@dataclass(frozen=True, slots=True)
class Table:
    currency: str
    terms: CurrencyTerms
    chips: list[int]
    balance: int
    seat: RouletteSeat
    last_numbers: list[int]


@dataclass(frozen=True, slots=True)
class Spin:
    round: RouletteRound
    balance: int
    seat: RouletteSeat
    replayed: bool


def _require_table(context: PlayContext) -> None:
    if context.product != ProductName.roulette:
        raise TableClosed()


def chips_for(terms: CurrencyTerms) -> list[int]:
    return sorted({min(terms.min_bet * k, terms.max_bet) for k in CHIP_MULTIPLES})


async def _account(
    session: AsyncSession, context: PlayContext, terms: CurrencyTerms, *, lock: bool = False
) -> WalletAccount:
    async def opening_credit() -> int:
        return terms.demo_credit

    return await ledger.account(
        session,
        player_id=context.player_key,
        currency=context.currency,
        opening_credit=opening_credit,
        lock=lock,
    )


async def _seat(session: AsyncSession, player_key: int, *, lock: bool) -> RouletteSeat:
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


async def table(session: AsyncSession, context: PlayContext) -> Table:
    _require_table(context)
    terms = await partners.currency_terms(
        session, partner_id=context.partner_id, currency=context.currency
    )
    # Seat first, then wallet: the order spin() takes them in, so that a first /table and a
    # first spin of one player running at once cannot deadlock.
    seat = await _seat(session, context.player_key, lock=False)
    account = await _account(session, context, terms)
    return Table(
        currency=context.currency,
        terms=terms,
        chips=chips_for(terms),
        balance=account.balance,
        seat=seat,
        last_numbers=await repository.last_numbers(session, context.player_key, limit=LAST_NUMBERS),
    )


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


def _request_hash(request: SpinIn) -> bytes:
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


async def spin(session: AsyncSession, context: PlayContext, request: SpinIn) -> Spin:
    """Play one round: draw from the committed seed, settle stake and return, reveal the seed,
    commit to the next one. A repeated round id answers the round it already played."""
    _require_table(context)
    terms = await partners.currency_terms(
        session, partner_id=context.partner_id, currency=context.currency
    )
    seat = await _seat(session, context.player_key, lock=True)  # serialises the player's spins
    request_hash = _request_hash(request)
    earlier = await repository.round_by_request(
        session, player_key=context.player_key, request_id=request.round_id
    )
    account = await _account(session, context, terms)
    if earlier is not None:
        if earlier.request_hash != request_hash:
            raise RoundIdReused(param="round_id")
        return Spin(round=earlier, balance=account.balance, seat=seat, replayed=True)

    placed = place_bets(request.bets, terms, context.currency)
    if request.client_seed is not None:
        seat.client_seed = request.client_seed
    number = fairness.draw(seat.server_seed, seat.client_seed, seat.nonce)
    stake = sum(bet.amount for bet in placed)
    returned = rules.total_return(placed, number)
    now = utcnow()
    round_id = new_id("rnd")
    settled = await ledger.settle(
        session,
        account_id=account.id,
        stake=stake,
        payout=returned,
        reference=f"roulette:{round_id}",
        now=now,
    )
    played = RouletteRound(
        id=round_id,
        player_id=context.player_key,
        launch_id=context.launch_id,
        request_id=request.round_id,
        request_hash=request_hash,
        currency=context.currency,
        bets=_bet_records(placed, request.bets, number),
        total_stake=stake,
        total_return=returned,
        balance_after=settled.balance,
        number=number,
        server_seed=seat.server_seed,
        server_seed_hash=seat.server_seed_hash,
        client_seed=seat.client_seed,
        nonce=seat.nonce,
        created_at=now,
    )
    repository.add_round(session, played)
    _commit_to_the_next_seed(seat, now)
    await session.flush()
    metrics.count_round_once_committed(
        session, context.partner_id, "roulette", context.currency, staked=stake, returned=returned
    )
    return Spin(round=played, balance=settled.balance, seat=seat, replayed=False)


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


def _commit_to_the_next_seed(seat: RouletteSeat, now: datetime) -> None:
    """The round's seed is revealed (kept on the round); the seat commits to a fresh one."""
    next_seed = fairness.new_server_seed()
    seat.server_seed = next_seed
    seat.server_seed_hash = fairness.commitment(next_seed)
    seat.nonce += 1
    seat.updated_at = now


async def rounds(session: AsyncSession, context: PlayContext, *, limit: int) -> list[RouletteRound]:
    """The player's rounds, newest first (all of them are kept)."""
    _require_table(context)
    return await repository.rounds(session, context.player_key, limit=limit)
