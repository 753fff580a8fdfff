"""The table: its state for the page, a spin played through the shared round path
(rounds/service.py, whatever the partner's wallet), the player's history.

A spin locks the player's seat first, so that two spins of one player (two tabs, a retry
racing the original) run one after the other on the ledger; with a seamless wallet the seat
is locked only while the outcome is drawn, after the debit is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from portero.http.runtime import Runtime
from portero.kit.db import session_scope
from portero.launches.opening import PlayContext
from portero.partners import service as partners
from portero.partners.terms import CurrencyTerms, terms_for
from portero.products.registry import ProductName
from portero.roulette import seats
from portero.roulette.errors import TableClosed
from portero.roulette.pg_seats import Seat
from portero.roulette.rounds import RouletteSpin
from portero.roulette.schemas import SpinIn
from portero.rounds import repository as rounds
from portero.rounds import service as round_path
from portero.rounds.games import PlayedRound
from portero.rounds.models import GameRound
from portero.wallet.onewallet.wire import GameRef

LAST_NUMBERS = 12
CHIP_MULTIPLES = (1, 5, 25, 100, 500)
GAME = GameRef(id=None, type=RouletteSpin.game_type, table_id=RouletteSpin.game_id)


@dataclass(frozen=True, slots=True)
class Table:
    currency: str
    terms: CurrencyTerms
    chips: list[int]
    balance: int
    wallet_mode: str
    seat: Seat
    last_numbers: list[int]


@dataclass(frozen=True, slots=True)
class Spin:
    played: PlayedRound
    seat: Seat


def _require_table(context: PlayContext) -> None:
    if context.product != ProductName.roulette:
        raise TableClosed()


def chips_for(terms: CurrencyTerms) -> list[int]:
    return sorted({min(terms.min_bet * k, terms.max_bet) for k in CHIP_MULTIPLES})


async def table(
    runtime: Runtime, session: AsyncSession, context: PlayContext, *, mobile: bool = False
) -> Table:
    _require_table(context)
    terms = await partners.currency_terms(
        session, partner_id=context.partner_id, currency=context.currency
    )
    # Seat first, then wallet: the order a spin takes them in, so that a first /table and a
    # first spin of one player running at once cannot deadlock.
    seat = await seats.seat_of(session, context.player_key, lock=False)
    last = await last_numbers(session, context.player_key)
    opening = await round_path.opening_balance(runtime, session, context, game=GAME, mobile=mobile)
    return Table(
        currency=context.currency,
        terms=terms,
        chips=chips_for(terms),
        balance=opening.balance,
        wallet_mode=opening.mode,
        seat=seat,
        last_numbers=last,
    )


async def last_numbers(session: AsyncSession, player_key: int) -> list[int]:
    played = await rounds.history(
        session, player_key=player_key, game_id=RouletteSpin.game_id, limit=LAST_NUMBERS
    )
    return [int(r.outcome["number"]) for r in played if r.outcome]


async def spin(
    runtime: Runtime, session: AsyncSession | None, context: PlayContext, request: SpinIn
) -> Spin:
    """Play one round: every bet settled as one stake and one return through the partner's
    wallet, the seed revealed, the next one committed. A repeated round id answers the round
    it already played. Without a `session`, one is opened only if the round needs it."""
    _require_table(context)
    game = RouletteSpin(context, request, terms_for(context.partner_terms, context.currency))
    played = await round_path.play(runtime, session, context, game)
    if game.seat is not None:  # the seat as the round left it
        return Spin(played, game.seat)
    # A replay: this request drew nothing, so the seat is read again.
    if session is not None:
        return Spin(played, await seats.seat_of(session, context.player_key, lock=False))
    async with session_scope(runtime.sessions) as own:
        return Spin(played, await seats.seat_of(own, context.player_key, lock=False))


async def rounds_of(session: AsyncSession, context: PlayContext, *, limit: int) -> list[GameRound]:
    """The player's rounds, newest first (all of them are kept)."""
    _require_table(context)
    return await rounds.history(
        session, player_key=context.player_key, game_id=RouletteSpin.game_id, limit=limit
    )
