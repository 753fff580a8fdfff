"""A round on Portero's own ledger (demo and transfer wallets): one transaction takes the
game's lock and the player's account, draws, settles stake and return, and records the round.
Nothing is written unless all of it is."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.launches.opening import PlayContext
from portero.partners import service as partners
from portero.rounds import events as round_events
from portero.rounds import repository
from portero.rounds.games import PlayedRound, RoundGame, new_round
from portero.rounds.models import RoundStatus
from portero.rounds.settlement import count_settled
from portero.wallet import ledger
from portero.wallet.models import WalletAccount
from portero.wallet.modes import WalletMode


async def ledger_account(
    session: AsyncSession, context: PlayContext, mode: str, *, lock: bool = False
) -> WalletAccount:
    """The player's account for the session's currency: opened with the partner's demo credit
    for play money, with nothing for real money (a transfer partner deposits it)."""

    async def opening_credit() -> int:  # read only when the account is opened
        if mode != WalletMode.demo:
            return 0
        terms = await partners.currency_terms(
            session, partner_id=context.partner_id, currency=context.currency
        )
        return terms.demo_credit

    return await ledger.account(
        session,
        player_id=context.player_key,
        currency=context.currency,
        mode=mode,
        opening_credit=opening_credit,
        lock=lock,
    )


async def play(
    session: AsyncSession, context: PlayContext, game: RoundGame, *, mode: str
) -> PlayedRound:
    """Play one round, or answer the round this id already played. The game's lock, then the
    account's, serialise the player's rounds (and a transfer's withdrawal, which takes the
    account too): a retry racing its original finds the round played."""
    await game.lock(session)
    account = await ledger_account(session, context, mode, lock=True)
    earlier = await repository.by_request(
        session, player_key=context.player_key, request_id=game.request_id
    )
    if earlier is not None:
        if earlier.request_hash != game.request_hash:
            raise game.reused()
        return PlayedRound(earlier, account.balance, replayed=True)
    stake = game.stake()
    drawn = await game.draw(session)
    now = utcnow()
    played = new_round(
        context, game, mode=mode, status=RoundStatus.settled, stake=stake, now=now,
        payout=drawn.payout, outcome=drawn.outcome, settled_at=now,
    )  # fmt: skip
    settled = await ledger.settle(
        session,
        account_id=account.id,
        stake=stake,
        payout=drawn.payout,
        reference=f"{game.product}:{played.id}",
        now=now,
    )
    played.balance_after = settled.balance
    repository.add(session, played)
    await session.flush()
    count_settled(session, played)
    await round_events.closed(session, played, RoundStatus.settled)
    return PlayedRound(played, settled.balance, replayed=False)
