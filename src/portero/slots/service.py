"""A slot session: its game and bet levels, a spin settled with its money, the history.

Each function runs in the caller's transaction (one per request). A spin locks the player's
wallet account first, so that two spins of one player run one after the other and a retry
racing its original finds the spin already played.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.ids import new_id
from portero.launches.opening import PlayContext
from portero.partners import service as partners
from portero.products.registry import ProductName
from portero.slots import repository
from portero.slots.errors import BetNotOffered, GameUnavailable, SpinIdReused
from portero.slots.games import catalogue, engine
from portero.slots.games.engine import Outcome, RandBelow
from portero.slots.games.spec import GameSpec
from portero.slots.models import SlotSpin
from portero.slots.schemas import SpinIn
from portero.wallet import ledger
from portero.wallet.currency import to_major
from portero.wallet.models import WalletAccount


@dataclass(frozen=True, slots=True)
class Table:
    game: GameSpec
    currency: str
    bet_levels: list[int]
    balance: int


@dataclass(frozen=True, slots=True)
class Spin:
    record: SlotSpin
    balance: int
    replayed: bool


def game_of(context: PlayContext) -> GameSpec:
    game = catalogue.game(str(context.params.get("game_id", "")))
    if context.product != ProductName.slot or game is None:
        raise GameUnavailable()
    if context.currency not in game.credit_values:
        raise GameUnavailable(f"{game.id} offers no bets in {context.currency}.")
    return game


def bet_levels(game: GameSpec, currency: str) -> list[int]:
    return [value * game.bet_multiplier for value in game.credit_values[currency]]


async def _account(
    session: AsyncSession, context: PlayContext, *, lock: bool = False
) -> WalletAccount:
    async def opening_credit() -> int:  # read only when the wallet is opened
        terms = await partners.currency_terms(
            session, partner_id=context.partner_id, currency=context.currency
        )
        return terms.demo_credit

    return await ledger.account(
        session,
        player_id=context.player_key,
        currency=context.currency,
        opening_credit=opening_credit,
        lock=lock,
    )


async def table(session: AsyncSession, context: PlayContext) -> Table:
    game = game_of(context)
    account = await _account(session, context)
    return Table(game, context.currency, bet_levels(game, context.currency), account.balance)


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
        "base": reel_spin(outcome.base),
        "free_spins": [reel_spin(spin) for spin in outcome.free_spins],
    }


async def spin(
    session: AsyncSession,
    context: PlayContext,
    request: SpinIn,
    randbelow: RandBelow = secrets.randbelow,
) -> Spin:
    """Play one spin and its free spins, settle bet and win, keep the record. A repeated spin
    id answers the spin it already played."""
    game = game_of(context)
    account = await _account(session, context, lock=True)  # serialises the player's spins
    # The same id in another currency (another launch of the player) is another request.
    request_hash = hashlib.sha256(f"{game.id}:{context.currency}:{request.bet}".encode()).digest()
    earlier = await repository.spin_by_request(
        session, player_key=context.player_key, request_id=request.spin_id
    )
    if earlier is not None:
        if earlier.request_hash != request_hash:
            raise SpinIdReused(param="spin_id")
        return Spin(earlier, account.balance, replayed=True)
    levels = bet_levels(game, context.currency)
    if request.bet not in levels:
        offered = ", ".join(str(to_major(level, context.currency)) for level in levels)
        raise BetNotOffered(
            f"bet: {request.bet} is not a bet level of {game.id} in {context.currency} "
            f"(minor units; offered: {offered} {context.currency})",
            param="bet",
        )
    credit_value = request.bet // game.bet_multiplier
    outcome = engine.play(game, randbelow)
    win = outcome.credits * credit_value
    now = utcnow()
    spin_id = new_id("spn")
    settled = await ledger.settle(
        session,
        account_id=account.id,
        stake=request.bet,
        payout=win,
        reference=f"slot:{spin_id}",
        now=now,
    )
    record = SlotSpin(
        id=spin_id,
        player_id=context.player_key,
        launch_id=context.launch_id,
        game_id=game.id,
        request_id=request.spin_id,
        request_hash=request_hash,
        currency=context.currency,
        credit_value=credit_value,
        bet=request.bet,
        win=win,
        balance_after=settled.balance,
        outcome=outcome_record(outcome, credit_value),
        created_at=now,
    )
    await repository.add(session, record)
    metrics.count_round_once_committed(
        session, context.partner_id, game.id, context.currency, staked=request.bet, returned=win
    )
    return Spin(record, settled.balance, replayed=False)


async def history(session: AsyncSession, context: PlayContext, *, limit: int) -> list[SlotSpin]:
    """The player's spins on this game, newest first."""
    game = game_of(context)
    return await repository.spins(
        session, player_key=context.player_key, game_id=game.id, limit=limit
    )
