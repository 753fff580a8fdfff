"""The delivery engine's handlers of seamless rounds: retried credits and cancels, and the
probes of debits whose fate is unknown. Whatever died on the way (a timeout, a process killed
between its commit and its call, or between its call and its record), the engine resumes the
round from what was recorded: a claim whose lease ends is simply due again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery import repository as deliveries
from portero.delivery.engine import Tried, Verdict
from portero.delivery.repository import Claimed
from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.rounds import repository, settlement
from portero.rounds.endpoints import partner_wallet
from portero.rounds.models import OPEN_STATUSES, RoundStatus
from portero.rounds.wallet_calls import CANCEL, CREDIT, DEBIT, send
from portero.wallet.onewallet.client import Endpoint


class WalletCall:
    """A credit or a cancel, made again with its recorded payload."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def send(self, claimed: Claimed) -> Tried:
        async with session_scope(self.runtime.sessions) as session:
            endpoint = await self._prepare(session, claimed)
        return await send(self.runtime, endpoint, claimed.payload)

    async def _prepare(self, session: AsyncSession, claimed: Claimed) -> Endpoint | None:
        """The partner's endpoint; a lease long enough for its timeout (a partner may wait
        longer than the default)."""
        settings = self.runtime.settings
        wallet = await partner_wallet(session, claimed.partner_id, settings)
        endpoint = wallet.endpoint
        if endpoint is not None and endpoint.timeout_seconds > settings.wallet_timeout_seconds:
            seconds = endpoint.timeout_seconds + settings.delivery_lease_margin_seconds
            await deliveries.extend(session, claimed, until=utcnow() + timedelta(seconds=seconds))
        return endpoint

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        played = await repository.get(session, claimed.subject_id, lock=True)
        if played is not None and played.status in OPEN_STATUSES:
            await settlement.fail(session, played, note, wallet_status=None)

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:
        if claimed.kind == CANCEL:
            return await settlement.cancel_settled(session, claimed, tried, last_try=last_try)
        return await settlement.credit_settled(session, claimed, tried, last_try=last_try)


class DebitProbe(WalletCall):
    """A debit the engine takes over (its answer never came, or its request died): from now
    on the round will not be played; the debit is sent again only to learn its fate."""

    async def _prepare(self, session: AsyncSession, claimed: Claimed) -> Endpoint | None:
        await repository.transition(
            session,
            claimed.subject_id,
            from_statuses=[RoundStatus.debiting],
            now=utcnow(),
            status=RoundStatus.debit_unknown,
        )
        return await super()._prepare(session, claimed)

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:
        return await settlement.probe_settled(
            session, claimed, tried, last_try=last_try, on_cancel_due=self.runtime.deliveries.kick
        )


def register(runtime: Runtime) -> None:
    engine = runtime.deliveries
    engine.register(DEBIT, DebitProbe(runtime))
    engine.register(CREDIT, WalletCall(runtime))
    engine.register(CANCEL, WalletCall(runtime))
