"""The events a round reports to the partner's webhooks, recorded in the transaction that
closes it: `round.settled`, `round.cancelled`, and `wallet.transaction.failed` when its
retries are spent. `data` is the round as `GET /v1/rounds/{id}` answers it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.rounds import listing
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.schemas import RoundOut
from portero.webhooks import events

EVENT_OF = {
    RoundStatus.settled: "round.settled",
    RoundStatus.cancelled: "round.cancelled",
    RoundStatus.failed: "wallet.transaction.failed",
}


async def closed(session: AsyncSession, played: GameRound, status: RoundStatus) -> None:
    """Report a round that this transaction has just moved to `status` (settled, cancelled
    or failed)."""

    async def data() -> Any:
        await session.flush()
        view = await listing.view_of(session, played)  # read again: the status just written
        # The replay link is signed when the event is sent (webhooks/sending.py).
        return RoundOut.of(view, replay_url=None, detailed=True)

    await events.record(
        session, partner_id=played.partner_id, event_type=EVENT_OF[status], data=data
    )
