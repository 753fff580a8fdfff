"""The seamless round's three transactions on PostgreSQL (rounds/seamless.py), each one
statement on a bare asyncpg connection, for a game without a state of its own (a slot spin),
on a session without limits, for a partner without webhooks (`pg_ledger.usable`).

The steps are the same and commit the same rows as seamless.py's, so a process that dies
between any two of them leaves what the delivery engine already knows how to finish:

  begin         the round (`debiting`) and its claimed debit, inserted only if the partner's
                wallet is still the one read just before (held FOR SHARE, as a change of mode
                expects) and the round id is new
  after_debit   a confirmed debit: the claim held and closed, its try recorded, the round moved
                to `crediting` with its outcome, the credit claimed
  after_credit  a confirmed credit: the same for the credit, the round `settled`; only while no
                webhook endpoint is enabled (the round's event is owed otherwise)

Anything else (a replay, a wallet whose token cannot be read, a debit refused or unknown, a
credit not confirmed, an endpoint enabled meanwhile, a race on the round id) writes nothing
here and answers None: the caller takes the same step through seamless.py, which knows every
case. The one exception is a claim that is held but whose round has moved on (an operator's
hand): the try is recorded and the claim closed as seamless.py would, and the player is told
what seamless.py tells (after the debit: the wallet could not be used; after the credit: the
round as it now stands).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import asyncpg

from portero.delivery.models import DeliveryStatus
from portero.delivery.repository import Claimed, new_claim_token
from portero.http.runtime import Runtime
from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.errors import PorteroError
from portero.kit.ids import new_id
from portero.kit.sealing import UnreadableSecret, unseal
from portero.launches.opening import PlayContext
from portero.rounds.endpoints import TOKEN_PURPOSE
from portero.rounds.errors import WalletUnavailable
from portero.rounds.games import FastGame, RoundGame, new_round
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.pg_ledger import usable
from portero.rounds.settlement import reported_balance
from portero.rounds.wallet_calls import (
    CREDIT,
    DEBIT,
    credit_payload,
    debit_payload,
    lease_end,
    wallet_sid,
)
from portero.wallet.modes import WalletMode
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import CallResult, Endpoint
from portero.wallet.onewallet.wire import StatusClass
from portero.webhooks.models import EndpointStatus

_PENDING, _DONE = DeliveryStatus.pending.value, DeliveryStatus.done.value

WALLET = """
SELECT wallet_url, wallet_token_sealed, wallet_timeout_seconds FROM partner
WHERE id = $1 AND wallet_mode = $2 AND wallet_url IS NOT NULL AND wallet_token_sealed IS NOT NULL"""

BEGIN = f"""
WITH wallet AS (
    SELECT id FROM partner
    WHERE id = $1 AND wallet_mode = '{WalletMode.seamless}' AND wallet_url = $2
      AND wallet_token_sealed = $3 AND wallet_timeout_seconds IS NOT DISTINCT FROM $4
    FOR SHARE
), played AS (
    INSERT INTO game_round (id, partner_id, player_id, launch_id, product, game_id, request_id,
                            request_hash, currency, wallet_mode, status, stake, created_at,
                            updated_at)
    SELECT $5, $1, $6::integer, $7, $8, $9, $10::varchar, $11, $12, '{WalletMode.seamless}',
           '{RoundStatus.debiting}', $13, $14, $14
    FROM wallet
    WHERE NOT EXISTS (SELECT 1 FROM game_round WHERE player_id = $6 AND request_id = $10)
    RETURNING id
)
INSERT INTO delivery (id, partner_id, kind, subject_id, payload, status, attempts,
                      next_attempt_at, claim_token, created_at, updated_at)
SELECT $15, $1, '{DEBIT}', id, $16::json, '{_PENDING}', 1, $17, $18, $14, $14 FROM played
RETURNING id"""

# $1-$9: the claim and its try (held, attempt); then the round's move and what follows it.
_HELD = f"""
WITH held AS (
    UPDATE delivery SET status = '{_DONE}', last_outcome = $4, claim_token = NULL,
                        completed_at = $3, updated_at = $3
    WHERE id = $1 AND claim_token = $2 AND status = '{_PENDING}'
    {{condition}}
    RETURNING id
), attempt AS (
    INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome,
                                  http_status, detail, by)
    SELECT id, $5, $6, $7, $4::varchar, $8, $9, 'inline' FROM held
)"""

AFTER_DEBIT = (
    _HELD.format(condition="")
    + f""", moved AS (
    UPDATE game_round SET status = '{RoundStatus.crediting}', payout = $11, outcome = $12::json,
                          balance_after = $13, wallet_status = $14, updated_at = $3
    WHERE id = $10 AND status = '{RoundStatus.debiting}' AND EXISTS (SELECT 1 FROM held)
    RETURNING partner_id
), credit AS (
    INSERT INTO delivery (id, partner_id, kind, subject_id, payload, status, attempts,
                          next_attempt_at, claim_token, created_at, updated_at)
    SELECT $15, partner_id, '{CREDIT}', $10::varchar, $16::json, '{_PENDING}', 1, $17, $18, $3, $3
    FROM moved
)
SELECT (SELECT count(*) FROM held) AS held, (SELECT count(*) FROM moved) AS moved"""
)

AFTER_CREDIT = (
    _HELD.format(
        condition=f"""AND NOT EXISTS (SELECT 1 FROM webhook_endpoint
                          WHERE partner_id = $11 AND status = '{EndpointStatus.enabled}')"""
    )
    + f""", moved AS (
    UPDATE game_round SET status = '{RoundStatus.settled}', settled_at = $3, wallet_status = $12,
                          balance_after = coalesce($13, balance_after), updated_at = $3
    WHERE id = $10 AND status = '{RoundStatus.crediting}' AND EXISTS (SELECT 1 FROM held)
    RETURNING balance_after
)
SELECT (SELECT count(*) FROM held) AS held, (SELECT balance_after FROM moved) AS balance,
       (SELECT count(*) FROM moved) AS moved"""
)


@dataclass(frozen=True, slots=True)
class Started:
    """What `begin` recorded: the round as written, its endpoint and its claimed debit."""

    played: GameRound
    endpoint: Endpoint
    debit: Claimed


@dataclass(frozen=True, slots=True)
class Credited:
    """What `after_credit` found: whether it held the claim (and so recorded the try), and
    whether the round was still `crediting` (and so is settled now)."""

    held: bool
    settled: bool


def fast_game(runtime: Runtime, context: PlayContext, game: RoundGame) -> FastGame | None:
    """The game, if its round may take this path at all."""
    if runtime.pg_pool is None or not usable(context) or getattr(game, "has_state", True):
        return None
    return cast(FastGame, game)


async def begin(runtime: Runtime, context: PlayContext, game: RoundGame) -> Started | None:
    """The round and its claimed debit, committed; None when seamless.py is to begin it."""
    fast = fast_game(runtime, context, game)
    pool = runtime.pg_pool
    if fast is None or pool is None:
        return None
    try:
        stake = fast.stake()
        amount = wire.two_decimals(stake, context.currency)
        for unit in fast.units():
            wire.two_decimals(unit, context.currency)
    except (PorteroError, wire.NotTwoDecimals):  # refused there, in its own words
        return None
    async with pool.acquire(wait_seconds=runtime.settings.db_pool_timeout_seconds) as connection:
        wallet = await _wallet(connection, runtime, context.partner_id)
        if wallet is None:
            return None
        endpoint, row = wallet
        now = utcnow()
        played = new_round(
            context, fast, mode=WalletMode.seamless, status=RoundStatus.debiting, stake=stake,
            now=now,
        )  # fmt: skip
        payload = debit_payload(
            round_id=played.id, user_id=context.player_id, sid=wallet_sid(context),
            currency=context.currency, game_type=fast.game_type, table_id=fast.game_id,
            amount=amount,
        )  # fmt: skip
        debit = _claim(context.partner_id, DEBIT, played.id, payload)
        arguments = [
            context.partner_id, row["wallet_url"], row["wallet_token_sealed"],
            row["wallet_timeout_seconds"], played.id, played.player_id, played.launch_id,
            played.product, played.game_id, played.request_id, played.request_hash,
            played.currency, stake, now, debit.id, json.dumps(payload),
            lease_end(runtime, endpoint, now), debit.claim_token,
        ]  # fmt: skip
        try:
            recorded = await connection.fetchval(BEGIN, *arguments)
        except asyncpg.UniqueViolationError:  # the same round id, at this very moment
            return None
    return Started(played, endpoint, debit) if recorded is not None else None


async def after_debit(
    runtime: Runtime, game: RoundGame, started: Started, result: CallResult
) -> Claimed:
    """A confirmed debit: the draw, and the credit claimed. Raises what seamless.py answers
    when the claim is no longer this request's, or the round has moved on meanwhile."""
    assert runtime.pg_pool is not None
    assert result.kind is StatusClass.ok
    played, now = started.played, utcnow()
    drawn = cast(FastGame, game).outcome()
    balance = reported_balance(result, played.currency)
    payload = credit_payload(
        started.debit.payload, wire.two_decimals(drawn.payout, played.currency)
    )
    credit = _claim(played.partner_id, CREDIT, played.id, payload)
    arguments = [
        *_held_try(started.debit, result, played.created_at, now), played.id, drawn.payout,
        json.dumps(drawn.outcome), balance, result.status, credit.id, json.dumps(payload),
        lease_end(runtime, started.endpoint, now), credit.claim_token,
    ]  # fmt: skip
    wait = runtime.settings.db_pool_timeout_seconds
    async with runtime.pg_pool.acquire(wait_seconds=wait) as connection:
        row = await connection.fetchrow(AFTER_DEBIT, *arguments)
    assert row is not None
    if row["held"]:
        metrics.DELIVERY_ATTEMPTS.labels(DEBIT, "done").inc()
    if not row["moved"]:  # the engine took the claim over, or an operator closed the round
        raise WalletUnavailable()
    played.status, played.payout, played.outcome = (
        RoundStatus.crediting,
        drawn.payout,
        drawn.outcome,
    )
    played.balance_after, played.wallet_status, played.updated_at = balance, result.status, now
    return credit


async def after_credit(
    runtime: Runtime, started: Started, credit: Claimed, started_at: datetime, result: CallResult
) -> Credited:
    """A confirmed credit: the round settled, unless the claim is no longer this request's or
    a webhook endpoint was enabled meanwhile (nothing written: seamless.py records it)."""
    assert runtime.pg_pool is not None
    assert result.kind is StatusClass.ok
    played, now = started.played, utcnow()
    balance = reported_balance(result, played.currency)
    arguments = [
        *_held_try(credit, result, started_at, now), played.id, played.partner_id,
        result.status, balance,
    ]  # fmt: skip
    wait = runtime.settings.db_pool_timeout_seconds
    async with runtime.pg_pool.acquire(wait_seconds=wait) as connection:
        row = await connection.fetchrow(AFTER_CREDIT, *arguments)
    assert row is not None
    if row["held"]:
        metrics.DELIVERY_ATTEMPTS.labels(CREDIT, "done").inc()
    if row["moved"]:
        played.status, played.settled_at, played.updated_at = RoundStatus.settled, now, now
        played.wallet_status, played.balance_after = result.status, row["balance"]
        metrics.count_round(
            played.partner_id, played.game_id, played.currency, staked=played.stake,
            returned=played.payout or 0,
        )  # fmt: skip
    return Credited(held=bool(row["held"]), settled=bool(row["moved"]))


async def _wallet(
    connection: asyncpg.Connection, runtime: Runtime, partner_id: int
) -> tuple[Endpoint, Any] | None:
    """The partner's seamless wallet as configured now, and the row it was read from."""
    row = await connection.fetchrow(WALLET, partner_id, WalletMode.seamless.value)
    if row is None:
        return None
    try:
        token = unseal(runtime.settings.signing_key, TOKEN_PURPOSE, row["wallet_token_sealed"])
    except UnreadableSecret:  # seamless.py refuses the round, and says why in the log
        return None
    timeout = row["wallet_timeout_seconds"] or runtime.settings.wallet_timeout_seconds
    return Endpoint(partner_id, row["wallet_url"], token, timeout), row


def _held_try(
    claimed: Claimed, result: CallResult, started_at: datetime, now: datetime
) -> list[Any]:
    """$1-$9 of AFTER_DEBIT and AFTER_CREDIT: the claim, and its try for the history."""
    detail = result.detail[:500] if result.detail else None
    return [
        claimed.id, claimed.claim_token, now, result.outcome[:64], claimed.attempts,
        started_at, result.duration_ms, result.http_status, detail,
    ]  # fmt: skip


def _claim(partner_id: int, kind: str, subject_id: str, payload: dict[str, Any]) -> Claimed:
    """A delivery this request holds the claim of, and makes the first try of."""
    return Claimed(new_id("dlv"), partner_id, kind, subject_id, payload, 1, new_claim_token())
