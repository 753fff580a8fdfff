"""The common ledger round (demo, transfer) on PostgreSQL, on a bare asyncpg connection: the
same guarantees as `on_ledger.play`, in one statement for a game without a state of its own
(a slot spin) and in one short transaction for a game with one (the roulette seat).

The money, the round and its entries are one statement: the account's UPDATE takes the stake
and pays the return only if the balance covers the stake and the round id is new, and the
round and both entries are inserted from its RETURNING, so all of it happens or none does. A
retry racing its original is stopped by the round's unique key (the statement fails whole).

Anything else — no account yet (a first demo round opens it with its credit), a balance that
does not cover the stake, a round id played before, a unique-key race — changes nothing here
and answers None: the caller plays the round again through `on_ledger.play`, which knows every
case. Sessions with limits and partners with webhooks never come here (`usable`): their round
also writes the session's net loss or an event, in the same transaction, through SQLAlchemy.
"""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg

from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.errors import PorteroError
from portero.kit.pg_pool import FairPool
from portero.launches.opening import PlayContext
from portero.rounds.games import FastGame, PlayedRound, new_round
from portero.rounds.models import GameRound, RoundStatus
from portero.wallet.ledger import STAKE, WIN
from portero.webhooks.models import EndpointStatus

PLAY_ROUND = f"""
WITH account AS (
    UPDATE wallet_account SET balance = balance - $1 + $2, updated_at = $3
    WHERE player_id = $4 AND currency = $5 AND mode = $6 AND balance >= $1
      AND NOT EXISTS (SELECT 1 FROM game_round WHERE player_id = $4 AND request_id = $7)
      -- An endpoint enabled since the session was read: the round's event is owed.
      AND NOT EXISTS (SELECT 1 FROM webhook_endpoint
                      WHERE partner_id = $9 AND status = '{EndpointStatus.enabled}')
    RETURNING id, balance
), played AS (
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
    if not game.has_state:
        return await _settle(connection, context, game, mode=mode, stake=stake)
    try:
        async with connection.transaction():
            played = None
            if await game.lock_state(connection):
                played = await _settle(connection, context, game, mode=mode, stake=stake)
            if played is None:
                raise _HandOver
            await game.save_state(connection)
    except _HandOver:  # rolled back: nothing of it stays
        return None
    return played


class _HandOver(Exception):
    """The round is for the general path: the transaction is rolled back."""


async def _settle(
    connection: asyncpg.Connection, context: PlayContext, game: FastGame, *, mode: str, stake: int
) -> PlayedRound | None:
    drawn = game.outcome()
    now = utcnow()
    played = new_round(
        context, game, mode=mode, status=RoundStatus.settled, stake=stake, now=now,
        payout=drawn.payout, outcome=drawn.outcome, settled_at=now,
    )  # fmt: skip
    try:
        balance = await connection.fetchval(PLAY_ROUND, *_arguments(played, now))
    except asyncpg.UniqueViolationError:  # the same round id, played at this very moment
        return None
    if balance is None:
        return None
    played.balance_after = balance
    return PlayedRound(played, balance, replayed=False)


def _arguments(played: GameRound, now: datetime) -> tuple[object, ...]:
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
        json.dumps(played.outcome),
        f"{played.product}:{played.id}",
    )
