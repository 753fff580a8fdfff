"""A round with the partner's own wallet (seamless, One Wallet): recorded and committed
before the wallet is called, the outcome drawn only once the debit is confirmed.

  begin        T1  the round (`debiting`) and its debit, claimed by this request, committed
  send_debit   N1  the debit, with no transaction open
  after_debit  T2  confirmed → draw, `crediting`, the credit claimed; refused → closed, with
                   nothing owed; unknown → `debit_unknown`, left to the engine's probe
  send_credit  N2  the credit
  after_credit T3  confirmed → `settled`; otherwise the engine retries it (the player sees the
                   result, the win marked pending)

On PostgreSQL the plain case of each step (nothing but the round and its calls to write) is
one statement instead, committing the same rows (rounds/pg_seamless.py); whatever it does not
cover comes here. A process that dies between any two steps leaves a claimed delivery whose
lease ends: the engine (rounds/recovery.py) takes it from there. No outcome exists before the
debit is confirmed, so no failure can keep a drawn outcome from counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery import repository as deliveries
from portero.delivery.engine import Tried, Verdict
from portero.delivery.repository import Claimed, new_claim_token
from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.ids import new_id
from portero.launches.opening import PlayContext, end_launch
from portero.rounds import events as round_events
from portero.rounds import pg_seamless, repository, settlement
from portero.rounds.endpoints import partner_wallet
from portero.rounds.errors import (
    AmountNotCarried,
    RoundInProgress,
    WalletRefused,
    WalletSessionEnded,
    WalletUnavailable,
)
from portero.rounds.games import PlayedRound, RoundGame, new_round
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.wallet_calls import (
    CREDIT,
    DEBIT,
    credit_payload,
    debit_payload,
    lease_end,
    send,
    wallet_sid,
)
from portero.wallet.errors import InsufficientFunds
from portero.wallet.modes import WalletMode
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import CallResult, Endpoint
from portero.wallet.onewallet.wire import StatusClass


@dataclass(frozen=True, slots=True)
class Step:
    """A round between two steps: the call this request holds the claim of, to send next."""

    round_id: str
    endpoint: Endpoint | None
    call: Claimed
    started_at: datetime
    # Begun on PostgreSQL's fast path (rounds/pg_seamless.py): its next steps may be too.
    fast: pg_seamless.Started | None = None


async def play(
    runtime: Runtime, session: AsyncSession, context: PlayContext, game: RoundGame
) -> PlayedRound:
    # The request's own transaction (the play session's check) ends before any wallet call.
    if session.in_transaction():
        await session.commit()
    started = await begin(runtime, context, game)
    if isinstance(started, PlayedRound):
        return started
    drawn = await after_debit(runtime, context, game, started, await send_debit(runtime, started))
    return await after_credit(runtime, drawn, await send_credit(runtime, drawn))


async def begin(runtime: Runtime, context: PlayContext, game: RoundGame) -> Step | PlayedRound:
    """T1: the round and its debit, committed; or the answer of a round id already played."""
    fast = await pg_seamless.begin(runtime, context, game)
    if fast is not None:
        played = fast.played
        return Step(played.id, fast.endpoint, fast.debit, played.created_at, fast=fast)
    try:
        async with session_scope(runtime.sessions) as session:
            wallet = await partner_wallet(session, context.partner_id, runtime.settings, share=True)
            if wallet.mode != WalletMode.seamless:  # changed since the session was read
                raise RoundInProgress("The table's wallet has just changed; retry.")
            if wallet.endpoint is None:  # nothing to call: nothing is recorded either
                raise WalletUnavailable()
            earlier = await repository.by_request(
                session, player_key=context.player_key, request_id=game.request_id
            )
            if earlier is not None:
                return replay(earlier, game)
            return await _record_bet(runtime, session, context, game, wallet.endpoint)
    except IntegrityError:  # the same round id, recorded by a request racing this one
        raise RoundInProgress() from None


async def _record_bet(
    runtime: Runtime,
    session: AsyncSession,
    context: PlayContext,
    game: RoundGame,
    endpoint: Endpoint | None,
) -> Step:
    stake = game.stake()
    try:
        amount = wire.two_decimals(stake, context.currency)
        # Every return is a whole multiple of these: if they are whole hundredths, so is it.
        for unit in game.units():
            wire.two_decimals(unit, context.currency)
    except wire.NotTwoDecimals as error:
        raise AmountNotCarried(f"{error}: the wallet takes whole hundredths") from None
    now = utcnow()
    played = new_round(
        context, game, mode=WalletMode.seamless, status=RoundStatus.debiting, stake=stake, now=now
    )
    round_id = played.id
    repository.add(session, played)
    await session.flush()
    payload = debit_payload(
        round_id=round_id,
        user_id=context.player_id,
        sid=wallet_sid(context),
        currency=context.currency,
        game_type=game.game_type,
        table_id=game.game_id,
        amount=amount,
    )
    debit = await deliveries.add(
        session,
        id=new_id("dlv"),
        partner_id=context.partner_id,
        kind=DEBIT,
        subject_id=round_id,
        payload=payload,
        due_at=lease_end(runtime, endpoint, now),
        now=now,
        claim_token=new_claim_token(),
    )
    return Step(round_id, endpoint, debit, started_at=now)


def replay(earlier: GameRound, game: RoundGame) -> PlayedRound:
    """The first answer of a round id again: the round as played, or its refusal."""
    if earlier.request_hash != game.request_hash:
        raise game.reused()
    if earlier.outcome is not None:
        return PlayedRound(earlier, earlier.balance_after, replayed=True)
    if earlier.status == RoundStatus.debiting:
        raise RoundInProgress()
    raise refusal(earlier.wallet_status) if earlier.wallet_status else WalletUnavailable()


def refusal(status: str | None) -> Exception:
    """What the player is told of a debit the wallet did not take."""
    if status == wire.INSUFFICIENT_FUNDS:
        return InsufficientFunds("Your balance does not cover this bet.")
    if status is not None and wire.classify(status) is StatusClass.fatal:
        return WalletSessionEnded()
    if status is not None and wire.classify(status) is StatusClass.final:
        return WalletRefused(status)
    return WalletUnavailable()


async def send_debit(runtime: Runtime, step: Step) -> CallResult:
    """N1."""
    return await send(runtime, step.endpoint, step.call.payload)


class _Debited:
    """T2's decision, as the engine's `record` asks for it: on a confirmed debit, draw."""

    def __init__(self, runtime: Runtime, context: PlayContext, game: RoundGame, step: Step):
        self.runtime, self.context, self.game, self.step = runtime, context, game, step
        self.credit: Claimed | None = None
        self.status: str | None = None

    async def send(self, claimed: Claimed) -> Tried:  # pragma: no cover (never sent by it)
        raise AssertionError("the inline debit is sent by the request")

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        raise AssertionError("only the engine gives up")  # pragma: no cover

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:
        result = settlement.call_result(tried)
        played = await repository.get(session, claimed.subject_id, lock=True)
        if played is None or played.status != RoundStatus.debiting:
            return Verdict.done  # settled by hand meanwhile: the player hears it did not go
        self.status = result.status
        now = utcnow()
        if result.kind is StatusClass.ok:
            await self._draw(session, played, result, now)
            return Verdict.done
        if result.kind is StatusClass.retry:
            if not last_try:
                await _move(session, played, now, status=RoundStatus.debit_unknown)
            return await settlement.not_answered(
                session, played, claimed, result, what="debit", last_try=last_try
            )
        await _move(
            session,
            played,
            now,
            status=RoundStatus.cancelled,
            settled_at=now,
            wallet_status=result.status,
            note=f"the wallet refused the debit ({result.status}): no money moved",
        )
        await round_events.closed(session, played, RoundStatus.cancelled)
        if result.kind is StatusClass.fatal:
            await end_launch(session, launch_id=self.context.launch_id, now=now)
        return Verdict.done

    async def _draw(
        self, session: AsyncSession, played: GameRound, result: CallResult, now: datetime
    ) -> None:
        await self.game.lock(session)
        drawn = await self.game.draw(session)
        balance = settlement.reported_balance(result, played.currency)
        await _move(
            session,
            played,
            now,
            status=RoundStatus.crediting,
            payout=drawn.payout,
            outcome=drawn.outcome,
            balance_after=balance,
            wallet_status=result.status,
        )
        amount = wire.two_decimals(drawn.payout, played.currency)
        self.credit = await deliveries.add(
            session,
            id=new_id("dlv"),
            partner_id=played.partner_id,
            kind=CREDIT,
            subject_id=played.id,
            payload=credit_payload(self.step.call.payload, amount),
            due_at=lease_end(self.runtime, self.step.endpoint, now),
            now=now,
            claim_token=new_claim_token(),
        )


async def _move(session: AsyncSession, played: GameRound, now: datetime, **values: object) -> None:
    moved = await repository.transition(
        session, played.id, from_statuses=[played.status], now=now, **values
    )
    assert moved, "the round is locked and was found in this state"


async def after_debit(
    runtime: Runtime, context: PlayContext, game: RoundGame, step: Step, result: CallResult
) -> Step:
    """T2; the credit to send next, or the refusal the player is told."""
    if step.fast is not None and result.kind is StatusClass.ok:
        credit = await pg_seamless.after_debit(runtime, game, step.fast, result)
        return Step(step.round_id, step.endpoint, credit, utcnow(), fast=step.fast)
    decision = _Debited(runtime, context, game, step)
    verdict = await runtime.deliveries.record(
        decision, step.call, result, started_at=step.started_at, by="inline"
    )
    if verdict is None:  # the lease ended first: the engine has taken the debit over
        raise WalletUnavailable()
    if decision.credit is None:
        raise refusal(decision.status if result.kind is not StatusClass.ok else None)
    return Step(step.round_id, step.endpoint, decision.credit, started_at=utcnow())


async def send_credit(runtime: Runtime, step: Step) -> CallResult:
    """N2."""
    return await send(runtime, step.endpoint, step.call.payload)


async def after_credit(runtime: Runtime, step: Step, result: CallResult) -> PlayedRound:
    """T3; the round as the player sees it (its win pending unless the credit is confirmed)."""
    credited = None
    if step.fast is not None and result.kind is StatusClass.ok:
        credited = await pg_seamless.after_credit(
            runtime, step.fast, step.call, step.started_at, result
        )
        if credited.settled:
            return PlayedRound(step.fast.played, step.fast.played.balance_after, replayed=False)
    if credited is None or not credited.held:
        handler = runtime.deliveries.handlers[CREDIT]
        await runtime.deliveries.record(
            handler, step.call, result, started_at=step.started_at, by="inline"
        )
    async with session_scope(runtime.sessions) as session:
        played = await repository.get(session, step.round_id)
    assert played is not None
    return PlayedRound(played, played.balance_after, replayed=False)
