"""The common ledger round (demo, transfer) on PostgreSQL, on a bare asyncpg connection: the
same guarantees as `on_ledger.play`, in one statement sent without BEGIN/COMMIT; a game with a
row of its own (the roulette seat) reads it first, and the statement moves it too.

The money, the round and its entries are one statement: the account's UPDATE takes the stake
and pays the return only if the balance covers the stake and the round id is new, and the
round and both entries are inserted from its RETURNING, so all of it happens or none does. A
retry racing its original is stopped by the round's unique key (the statement fails whole).

Anything else — no account yet (a first demo round opens it with its credit), a balance that
does not cover the stake, a round id played before, a unique-key race, a game's row moved by
another request since it was read — changes nothing here
and answers None: the caller plays the round again through `on_ledger.play`, which knows every
case. Sessions with limits and partners with webhooks never come here (`usable`): their round
also writes the session's net loss or an event, in the same transaction, through SQLAlchemy.
"""

from __future__ import annotations

import functools
from datetime import datetime

import asyncpg
import pydantic_core

from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.errors import PorteroError
from portero.kit.pg_pool import FairPool
from portero.launches.opening import PlayContext
from portero.rounds.games import FastGame, PlayedRound, RoundRecord, round_record
from portero.rounds.models import RoundStatus
from portero.wallet.ledger import STAKE, WIN
from portero.webhooks.models import EndpointStatus

# {state}: with a game's own row (StateChange), that row is locked first — only as the game
# read it — and moved only if the money moved; a row changed since it was read stops the whole
# round, as a balance that does not cover the stake does. Locked before the account, as
# `on_ledger.play` takes them, and in the one statement, so nothing waits on a lock between
# round trips.
_PLAY_ROUND = f"""
WITH {{state_lock}}account AS (
    UPDATE wallet_account SET balance = balance - $1 + $2, updated_at = $3
    WHERE player_id = $4 AND currency = $5 AND mode = $6 AND balance >= $1
      AND NOT EXISTS (SELECT 1 FROM game_round WHERE player_id = $4 AND request_id = $7)
      -- An endpoint enabled since the session was read: the round's event is owed.
      AND NOT EXISTS (SELECT 1 FROM webhook_endpoint
                      WHERE partner_id = $9 AND status = '{EndpointStatus.enabled}'){{state_found}}
    RETURNING id, balance
), {{state_save}}played AS (
    INSERT INTO game_round (id, partner_id, player_id, launch_id, product, game_id, request_id,
                            request_hash, currency, wallet_mode, status, stake, payout,
                            balance_after, outcome, created_at, updated_at, settled_at)
    SELECT $8, $9, $4, $10, $11, $12, $7, $13, $5, $6, '{RoundStatus.settled}', $1, $2,
           account.balance, $14::json, $3, $3, $3
    FROM account
), entries AS (
    INSERT INTO wallet_entry (account_id, kind, amount, balance_after, reference, created_at)
    SELECT id, '{STAKE}', -$1::bigint, balance - $2, $15, $3 FROM account
    UNION ALL
    SELECT id, '{WIN}', $2, balance, $15, $3 FROM account WHERE $2::bigint > 0
)
SELECT balance FROM account"""

PLAY_ROUND = _PLAY_ROUND.format(state_lock="", state_found="", state_save="")


@functools.cache
def play_round_with(lock: str, save: str) -> str:
    """The round's statement for a game with a row of its own (one text per game, so that
    asyncpg's statement cache prepares it once per connection)."""
    return _PLAY_ROUND.format(
        state_lock=f"state AS ({lock}\n), ",
        state_found="\n      AND EXISTS (SELECT 1 FROM state)",
        state_save=f"state_saved AS ({save}\n), ",
    )


def usable(context: PlayContext) -> bool:
    """Whether the round may take this path: nothing but the round and its money to write."""
    unlimited = context.limits is None or not context.limits.bound_rounds
    return unlimited and not context.webhooks


async def play(
    pool: FairPool, context: PlayContext, game: FastGame, *, mode: str, wait_seconds: float
) -> PlayedRound | None:
    """The round played and settled, or None when it is for `on_ledger.play` (nothing written).
    A stake the game refuses goes there too: a round id played before answers as that round
    (or as reused) before the stake is judged."""
    try:
        stake = game.stake()
    except PorteroError:
        return None
    async with pool.acquire(wait_seconds=wait_seconds) as connection:
        played = await _play_on(connection, context, game, mode=mode, stake=stake)
        if played is not None:  # committed: counted before anything else can fail
            round_ = played.round
            metrics.count_round(
                round_.partner_id, round_.game_id, round_.currency, staked=stake,
                returned=round_.payout or 0,
            )  # fmt: skip
    return played


async def _play_on(
    connection: asyncpg.Connection, context: PlayContext, game: FastGame, *, mode: str, stake: int
) -> PlayedRound | None:
    if game.has_state and not await game.read_state(connection):
        return None
    return await _settle(connection, context, game, mode=mode, stake=stake)


async def _settle(
    connection: asyncpg.Connection, context: PlayContext, game: FastGame, *, mode: str, stake: int
) -> PlayedRound | None:
    drawn = game.outcome()
    now = utcnow()
    played = round_record(
        context, game, mode=mode, status=RoundStatus.settled, stake=stake, now=now,
        payout=drawn.payout, outcome=drawn.outcome, settled_at=now,
    )  # fmt: skip
    statement, arguments = PLAY_ROUND, _arguments(played, now)
    if game.has_state:
        change = game.state_change()
        statement = play_round_with(change.lock, change.save)
        arguments += change.arguments
    try:
        balance = await connection.fetchval(statement, *arguments)
    except asyncpg.UniqueViolationError:  # the same round id, played at this very moment
        return None
    if balance is None:
        return None
    played.balance_after = balance
    return PlayedRound(played, balance, replayed=False)


def _arguments(played: RoundRecord, now: datetime) -> tuple[object, ...]:
    return (
        played.stake,
        played.payout,
        now,
        played.player_id,
        played.currency,
        played.wallet_mode,
        played.request_id,
        played.id,
        played.partner_id,
        played.launch_id,
        played.product,
        played.game_id,
        played.request_hash,
        # pydantic's serialiser: a third of the json module's time for a slot's reels.
        pydantic_core.to_json(played.outcome).decode(),
        f"{played.product}:{played.id}",
    )
