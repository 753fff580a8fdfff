"""What a wallet's answer means for a seamless round, once the call has been made: decided
inside the transaction that records the try (delivery/engine.py `record`), the round's row
locked, every move a conditional transition (rounds/repository.py).

The rules (docs/wallets.md, "Retries"): a credit or a cancel is repeated until the wallet
confirms it (`OK`, `BET_ALREADY_EXIST`, `BET_ALREADY_SETTLED`) and fails on a refusal; a debit
whose fate is unknown is repeated to learn it, and if it went through it is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery import repository as deliveries
from portero.delivery.engine import Tried, Verdict
from portero.delivery.repository import Claimed
from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.db import after_commit
from portero.kit.ids import new_id
from portero.rounds import events as round_events
from portero.rounds import repository
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.wallet_calls import CANCEL, cancel_payload
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import CallResult
from portero.wallet.onewallet.wire import StatusClass


def call_result(tried: Tried) -> CallResult:
    assert isinstance(tried, CallResult), "a wallet delivery's try is a CallResult"
    return tried


# A probe answered with these moved no money for certain: the wallet judged the debit itself
# and found no funds, or did not accept the call at all (the auth token): nothing to cancel.
NOTHING_TAKEN = frozenset({wire.INSUFFICIENT_FUNDS, wire.INVALID_TOKEN_ID})
# A balance past this is not one a wallet means (and would not fit the column): not shown.
LARGEST_BALANCE = 10**17


def reported_balance(result: CallResult, currency: str) -> int | None:
    """The balance the wallet answered with, in minor units; None if it gave none, or one no
    wallet means (the round's money does not depend on it: it is only shown)."""
    if result.reply is None or result.reply.balance is None:
        return None
    try:
        minor = wire.to_minor_units(result.reply.balance, currency)
    except ArithmeticError:  # an exponent beyond any context (1e999999)
        return None
    return minor if abs(minor) <= LARGEST_BALANCE else None


async def _locked(session: AsyncSession, claimed: Claimed, status: RoundStatus) -> GameRound | None:
    """The round, locked, if it still waits for this call (an operator may have settled it)."""
    found = await repository.get(session, claimed.subject_id, lock=True)
    return found if found is not None and found.status == status else None


async def fail(
    session: AsyncSession, played: GameRound, note: str, *, wallet_status: str | None
) -> Verdict:
    """Retries spent or refused for good: the round waits for an operator (dead letter)."""
    await repository.transition(
        session,
        played.id,
        from_statuses=[played.status],
        now=utcnow(),
        status=RoundStatus.failed,
        note=note[:500],
        wallet_status=wallet_status,
    )
    await round_events.closed(session, played, RoundStatus.failed)
    return Verdict.failed


async def not_answered(
    session: AsyncSession,
    played: GameRound,
    claimed: Claimed,
    result: CallResult,
    *,
    what: str,
    last_try: bool,
) -> Verdict:
    """A `what` (credit, cancel, debit) that did not succeed: tried again while the schedule
    lasts when nothing is known; otherwise the round fails, for an operator to settle."""
    if result.kind is StatusClass.retry and not last_try:
        return Verdict.retry
    if result.kind is StatusClass.retry:
        note = f"the {what} was not confirmed after {claimed.attempts} tries ({result.outcome})"
    else:
        note = f"the wallet refused the {what}: {result.status}"
    return await fail(session, played, note, wallet_status=result.status)


def count_settled(session: AsyncSession, played: GameRound) -> None:
    metrics.count_round_once_committed(
        session,
        played.partner_id,
        played.game_id,
        played.currency,
        staked=played.stake,
        returned=played.payout or 0,
    )


async def credit_settled(
    session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
) -> Verdict:
    result = call_result(tried)
    played = await _locked(session, claimed, RoundStatus.crediting)
    if played is None:
        return Verdict.done
    if result.kind is StatusClass.ok:
        now = utcnow()
        balance = reported_balance(result, played.currency)
        await repository.transition(
            session,
            played.id,
            from_statuses=[RoundStatus.crediting],
            now=now,
            status=RoundStatus.settled,
            settled_at=now,
            wallet_status=result.status,
            balance_after=balance if balance is not None else played.balance_after,
        )
        count_settled(session, played)
        await round_events.closed(session, played, RoundStatus.settled)
        return Verdict.done
    if result.kind is StatusClass.retry and not last_try:
        return Verdict.retry
    if result.kind is StatusClass.retry:
        note = f"the credit was not confirmed after {claimed.attempts} tries ({result.outcome})"
    else:
        note = f"the wallet refused the credit: {result.status}"
    return await fail(session, played, note, wallet_status=result.status)


async def cancel_settled(
    session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
) -> Verdict:
    result = call_result(tried)
    played = await _locked(session, claimed, RoundStatus.cancelling)
    if played is None:
        return Verdict.done
    # BET_DOES_NOT_EXIST: the debit never landed, and the cancel now keeps it from landing.
    given_back = result.kind is StatusClass.ok or result.status == wire.BET_DOES_NOT_EXIST
    if given_back:
        now = utcnow()
        await repository.transition(
            session,
            played.id,
            from_statuses=[RoundStatus.cancelling],
            now=now,
            status=RoundStatus.cancelled,
            settled_at=now,
            wallet_status=result.status,
            note="the debit's fate was unknown: it was cancelled",
        )
        await round_events.closed(session, played, RoundStatus.cancelled)
        return Verdict.done
    return await not_answered(session, played, claimed, result, what="cancel", last_try=last_try)


async def probe_settled(
    session: AsyncSession,
    claimed: Claimed,
    tried: Tried,
    *,
    last_try: bool,
    on_cancel_due: Callable[[], None] | None = None,
) -> Verdict:
    """A debit whose first answer never came, sent again to learn its fate (the player was
    told the bet did not go through). Gone through → cancel it. Refused for funds, or the call
    itself refused (INVALID_TOKEN_ID) → no money moved: closed. Refused otherwise (an expired
    sid, a locked account…) → cancelled all the same: a wallet that checks the session before
    the transaction id would refuse a debit it did apply, and a cancel of a debit that never
    landed moves nothing and keeps it from ever landing."""
    result = call_result(tried)
    played = await _locked(session, claimed, RoundStatus.debit_unknown)
    if played is None:
        return Verdict.done
    now = utcnow()
    if result.kind is StatusClass.retry:  # its fate still unknown
        return await not_answered(session, played, claimed, result, what="debit", last_try=last_try)
    if result.status in NOTHING_TAKEN:
        await repository.transition(
            session,
            played.id,
            from_statuses=[RoundStatus.debit_unknown],
            now=now,
            status=RoundStatus.cancelled,
            settled_at=now,
            wallet_status=result.status,
            note=f"the debit was refused ({result.status}): no money moved",
        )
        await round_events.closed(session, played, RoundStatus.cancelled)
        return Verdict.done
    await repository.transition(
        session,
        played.id,
        from_statuses=[RoundStatus.debit_unknown],
        now=now,
        status=RoundStatus.cancelling,
        wallet_status=result.status,
    )
    await start_cancel(session, played, claimed.payload, now=now)
    if on_cancel_due is not None:
        after_commit(session, on_cancel_due)
    return Verdict.done


async def start_cancel(
    session: AsyncSession, played: GameRound, debit: Any, *, now: datetime
) -> None:
    """The cancel of the round's debit, due at once (the engine makes it)."""
    await deliveries.add(
        session,
        id=new_id("dlv"),
        partner_id=played.partner_id,
        kind=CANCEL,
        subject_id=played.id,
        payload=cancel_payload(debit),
        due_at=now,
        now=now,
    )
