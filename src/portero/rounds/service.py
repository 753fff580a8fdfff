"""The round path's entry points for the games' play APIs: play a round, and the balance a
table opens with, whichever wallet the partner uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches import session_repository
from portero.launches.opening import PlayContext, end_launch
from portero.rounds import limits, on_ledger, pg_ledger, seamless
from portero.rounds.endpoints import partner_wallet
from portero.rounds.errors import WalletRefused, WalletSessionEnded, WalletUnavailable
from portero.rounds.games import FastGame, PlayedRound
from portero.rounds.settlement import reported_balance
from portero.rounds.wallet_calls import wallet_sid
from portero.wallet.modes import WalletMode
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import CallResult, Endpoint
from portero.wallet.onewallet.wire import StatusClass

UNREACHABLE = "The wallet cannot be reached right now; please try again in a moment."


@dataclass(frozen=True, slots=True)
class TableBalance:
    mode: str  # the wallet mode (demo money is labelled as such on the pages)
    balance: int  # minor units


async def play(
    runtime: Runtime, session: AsyncSession | None, context: PlayContext, game: FastGame
) -> PlayedRound:
    """One round of `game` for the session's player, settled through the partner's wallet,
    under the session's responsible-gaming limits (rounds/limits.py). `session` is the
    caller's unit of work, if it has one; without one, a round the fast path declines opens
    its own (the fast path needs none, and opening one cost 2 % of a spin)."""
    if context.wallet_mode != WalletMode.seamless and runtime.pg_pool and pg_ledger.usable(context):
        if session is not None and session.in_transaction():  # what it read: back to the pool
            await session.commit()
        fast = await pg_ledger.play(
            runtime.pg_pool,
            context,
            game,
            mode=context.wallet_mode,
            wait_seconds=runtime.settings.db_pool_timeout_seconds,
        )
        if fast is not None:
            return fast
    if session is None:
        async with session_scope(runtime.sessions) as own:
            return await _play_in(runtime, own, context, game)
    return await _play_in(runtime, session, context, game)


async def _play_in(
    runtime: Runtime, session: AsyncSession, context: PlayContext, game: FastGame
) -> PlayedRound:
    played_as = limits.limited(context, game)
    if context.wallet_mode == WalletMode.seamless:
        played = await seamless.play(runtime, session, context, played_as)
    else:
        played = await on_ledger.play(session, context, played_as, mode=context.wallet_mode)
    if isinstance(played_as, limits.LimitedGame) and played_as.net_loss is not None:
        return replace(played, session_net_loss=played_as.net_loss)
    return played


async def opening_balance(
    runtime: Runtime,
    session: AsyncSession,
    context: PlayContext,
    *,
    game: wire.GameRef,
    mobile: bool,
) -> TableBalance:
    """What the table shows as the player sits down. Seamless: One Wallet's `check` (its sid
    replaces the partner's for the rest of the session), then `balance`; neither is retried:
    a wallet that does not answer leaves the player with a "try again"."""
    if context.wallet_mode != WalletMode.seamless:
        account = await on_ledger.ledger_account(session, context, context.wallet_mode)
        return TableBalance(context.wallet_mode, account.balance)
    wallet = await partner_wallet(session, context.partner_id, runtime.settings)
    await session.commit()  # no transaction is held open across the calls
    if wallet.endpoint is None:
        raise WalletUnavailable(UNREACHABLE)
    sid = await _check(runtime, wallet.endpoint, context, mobile=mobile)
    body = wire.balance_body(
        sid=sid,
        user_id=context.player_id,
        currency=context.currency,
        game=wire.GameRef(id=None, type=game.type, table_id=game.table_id),
        uuid=str(uuid.uuid4()),
    )
    result = await runtime.wallet_clients.call(wallet.endpoint, "balance", body)
    await _refuse_unless_ok(runtime, context, result)
    balance = reported_balance(result, context.currency)
    if balance is None:  # none, or none a wallet means: the table cannot open on it
        raise WalletUnavailable(UNREACHABLE)
    return TableBalance(WalletMode.seamless, balance)


async def _check(
    runtime: Runtime, endpoint: Endpoint, context: PlayContext, *, mobile: bool
) -> str:
    sid = wallet_sid(context)
    body = wire.check_body(
        sid=sid,
        user_id=context.player_id,
        channel=wire.CHANNEL_MOBILE if mobile else wire.CHANNEL_DESKTOP,
        uuid=str(uuid.uuid4()),
    )
    result = await runtime.wallet_clients.call(endpoint, "check", body)
    await _refuse_unless_ok(runtime, context, result)
    assert result.reply is not None
    if result.reply.sid and result.reply.sid != context.wallet_sid:
        async with session_scope(runtime.sessions) as session:
            await session_repository.set_wallet_sid(
                session, session_id=context.session_id, sid=result.reply.sid
            )
        return result.reply.sid
    return sid


async def _refuse_unless_ok(runtime: Runtime, context: PlayContext, result: CallResult) -> None:
    if result.kind is StatusClass.ok:
        return
    if result.kind is StatusClass.fatal:
        async with session_scope(runtime.sessions) as session:
            await end_launch(session, launch_id=context.launch_id, now=utcnow())
        raise WalletSessionEnded()
    if result.kind is StatusClass.final:
        raise WalletRefused(
            result.status, f"The wallet refused to open the table ({result.status})."
        )
    raise WalletUnavailable(UNREACHABLE)
