"""A slot session: its game and bet levels, a spin played through the shared round path
(rounds/service.py, whatever the partner's wallet), the history."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from portero.http.runtime import Runtime
from portero.launches.opening import PlayContext
from portero.products.registry import ProductName
from portero.rounds import repository as rounds
from portero.rounds import service as round_path
from portero.rounds.games import PlayedRound
from portero.rounds.models import GameRound
from portero.slots.errors import GameUnavailable
from portero.slots.games import catalogue
from portero.slots.games.engine import RandBelow
from portero.slots.games.spec import GameSpec
from portero.slots.rounds import SlotSpin, bet_levels
from portero.slots.schemas import SpinIn
from portero.wallet.onewallet.wire import GameRef


@dataclass(frozen=True, slots=True)
class Table:
    game: GameSpec
    currency: str
    bet_levels: list[int]
    balance: int
    wallet_mode: str


def game_of(context: PlayContext) -> GameSpec:
    game = catalogue.game(str(context.params.get("game_id", "")))
    if context.product != ProductName.slot or game is None:
        raise GameUnavailable()
    if context.currency not in game.credit_values:
        raise GameUnavailable(f"{game.id} offers no bets in {context.currency}.")
    return game


async def table(
    runtime: Runtime, session: AsyncSession, context: PlayContext, *, mobile: bool = False
) -> Table:
    game = game_of(context)
    opening = await round_path.opening_balance(
        runtime,
        session,
        context,
        game=GameRef(id=None, type=SlotSpin.game_type, table_id=game.id),
        mobile=mobile,
    )
    return Table(
        game, context.currency, bet_levels(game, context.currency), opening.balance, opening.mode
    )


async def spin(
    runtime: Runtime,
    session: AsyncSession | None,
    context: PlayContext,
    request: SpinIn,
    randbelow: RandBelow = secrets.randbelow,
) -> PlayedRound:
    """Play one spin and its free spins, settled as one bet and one win through the partner's
    wallet. A repeated spin id answers the spin it already played. Without a `session`, one is
    opened only if the round needs it (rounds/service.py)."""
    game = game_of(context)
    return await round_path.play(
        runtime, session, context, SlotSpin(context, game, request, randbelow)
    )


async def history(session: AsyncSession, context: PlayContext, *, limit: int) -> list[GameRound]:
    """The player's spins on this game, newest first."""
    game = game_of(context)
    return await rounds.history(
        session, player_key=context.player_key, game_id=game.id, limit=limit
    )
