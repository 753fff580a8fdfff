"""Responsible-gaming limits on the round path, for every game and every wallet.

A session with limits (launches/limits.py) plays its rounds through `LimitedGame`, which wraps
the game: the round path calls the game's `stake()` once it knows the round is new (a replay
answers as it was) and before anything is written, and its `draw()` in the transaction that
records the outcome (on the ledger, the round's only one; seamless, the one after the debit is
confirmed). So the checks need no query and the count no transaction of its own:

- `stake()` refuses a round while a reality check is due, a stake over `max_stake`, and a stake
  that could take the net loss past `loss_limit` (as read with the session);
- `draw()` adds the round's loss to the session's running figure with one conditional UPDATE
  of the play session's row, which also decides between two rounds of one session racing for
  the last of the limit: the loser is refused (on the ledger nothing is written; seamless, its
  confirmed debit is left to the engine, which cancels it, as for a request that died before
  recording it). When the loss reaches the limit, the session and its launch end.

The net loss counts the rounds whose outcome was drawn, stake minus return: a cancelled round
never drew and never counts; a return not yet confirmed by a seamless wallet counts as paid
(the round is owed it; the engine pays it).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.errors import PorteroError
from portero.launches import session_repository
from portero.launches.limits import LOSS_LIMIT, SessionLimits
from portero.launches.opening import PlayContext, end_launch
from portero.rounds.errors import LossLimitReached, RealityCheckDue, StakeOverLimit
from portero.rounds.games import Drawn, RoundGame
from portero.wallet.currency import to_major


class LimitedGame:
    """A game (rounds.games.RoundGame) played under the session's limits."""

    def __init__(self, context: PlayContext, limits: SessionLimits, game: RoundGame) -> None:
        self.context, self.limits, self.game = context, limits, game
        self.product, self.game_id, self.game_type = game.product, game.game_id, game.game_type
        self.request_id, self.request_hash = game.request_id, game.request_hash
        self.staked: int | None = None
        self.net_loss: int | None = None  # once counted

    def stake(self) -> int:
        due = self.context.reality_check_due_at
        if due is not None and utcnow() >= due:
            raise RealityCheckDue()
        stake = self.game.stake()
        limits, currency = self.limits, self.context.currency
        if limits.max_stake is not None and stake > limits.max_stake:
            raise StakeOverLimit(
                f"This stake ({to_major(stake, currency)} {currency}) is over your limit of "
                f"{to_major(limits.max_stake, currency)} {currency} per round."
            )
        if limits.loss_limit is not None and self.context.net_loss + stake > limits.loss_limit:
            raise _loss_refusal(limits.loss_limit, self.context.net_loss, currency)
        self.staked = stake
        return stake

    def units(self) -> list[int]:
        return self.game.units()

    def reused(self) -> PorteroError:
        return self.game.reused()

    async def lock(self, session: AsyncSession) -> None:
        await self.game.lock(session)

    async def draw(self, session: AsyncSession) -> Drawn:
        drawn = await self.game.draw(session)
        assert self.staked is not None, "stake() comes first"
        loss_limit = self.limits.loss_limit
        counted = await session_repository.count_loss(
            session,
            session_id=self.context.session_id,
            stake=self.staked,
            payout=drawn.payout,
            loss_limit=loss_limit,
        )
        if counted is None:  # another round of the session took the rest of the limit
            assert loss_limit is not None
            raise _loss_refusal(loss_limit, loss_limit, self.context.currency)
        self.net_loss = counted
        if loss_limit is not None and counted >= loss_limit:
            await end_launch(
                session, launch_id=self.context.launch_id, now=utcnow(), reason=LOSS_LIMIT
            )
        return drawn


def _loss_refusal(limit: int, net_loss: int, currency: str) -> LossLimitReached:
    left = max(0, limit - net_loss)
    return LossLimitReached(
        f"This stake could take your losses in this session past your limit of "
        f"{to_major(limit, currency)} {currency} ({to_major(left, currency)} {currency} left)."
    )


def limited(context: PlayContext, game: RoundGame) -> RoundGame:
    """The game as the round path plays it: under the session's limits, if it has any."""
    limits = context.limits
    return game if limits is None or not limits.bound_rounds else LimitedGame(context, limits, game)
