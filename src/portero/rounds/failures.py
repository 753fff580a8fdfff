"""Rounds whose retries are spent (the dead-letter list), and what an operator does with
them: try again from the start of the schedule, or settle by hand after checking the
partner's books (`--as credited`: the round stands and its return was paid; `--as
cancelled`: nothing is owed either way)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery import repository as deliveries
from portero.delivery.models import DeliveryStatus
from portero.kit.clock import utcnow
from portero.rounds import events as round_events
from portero.rounds import repository
from portero.rounds.errors import RoundNotFailed, RoundNotFound
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.settlement import count_settled
from portero.rounds.wallet_calls import CANCEL, CREDIT, DEBIT

# The stage a round goes back to when its failed call is tried again.
STAGE_OF = {
    DEBIT: RoundStatus.debit_unknown,
    CREDIT: RoundStatus.crediting,
    CANCEL: RoundStatus.cancelling,
}


class Resolution(enum.StrEnum):
    credited = "credited"
    cancelled = "cancelled"


@dataclass(frozen=True, slots=True)
class RoundHistory:
    """A round with every call it made to the wallet and every try of each."""

    round: GameRound
    deliveries: list[Any]  # rows of delivery
    attempts: list[Any]  # rows of delivery_attempt, in order


async def history_of(session: AsyncSession, played: GameRound) -> RoundHistory:
    calls = await deliveries.of_subject(session, played.partner_id, played.id)
    tries = await deliveries.attempts_of(session, [call.id for call in calls])
    return RoundHistory(played, calls, tries)


async def failed_rounds(
    session: AsyncSession, *, partner_id: int | None, limit: int = 100
) -> list[RoundHistory]:
    found = await repository.failed(session, partner_id=partner_id, limit=limit)
    return [await history_of(session, played) for played in found]


async def _failed(session: AsyncSession, partner_id: int | None, round_id: str) -> GameRound:
    # Locked: an operator's retry and resolve of one round, or two of either, go one by one.
    played = (
        await repository.of_partner(session, partner_id, round_id, lock=True)
        if partner_id is not None
        else await repository.get(session, round_id, lock=True)
    )
    if played is None:
        raise RoundNotFound(param="round_id")
    if played.status != RoundStatus.failed:
        raise RoundNotFailed()
    return played


async def _failed_call(session: AsyncSession, played: GameRound) -> Any:
    calls = await deliveries.of_subject(session, played.partner_id, played.id)
    failed = [call for call in calls if call.status == DeliveryStatus.failed]
    if not failed:
        raise RoundNotFailed("This round has no failed call to try again.")
    return failed[-1]


async def retry(session: AsyncSession, *, partner_id: int | None, round_id: str) -> RoundHistory:
    """The failed call, pending again from the start of its schedule."""
    played = await _failed(session, partner_id, round_id)
    call = await _failed_call(session, played)
    now = utcnow()
    if not await deliveries.restart(session, call.id, now=now):
        raise RoundNotFailed()
    await _note(session, call.id, "retry requested", None)
    await _move(session, played, now, status=STAGE_OF[call.kind])
    return await history_of(session, await _reload(session, played.id))


async def resolve(
    session: AsyncSession,
    *,
    partner_id: int | None,
    round_id: str,
    resolution: Resolution,
    note: str,
) -> RoundHistory:
    """Settle a failed round by hand, with the operator's note."""
    played = await _failed(session, partner_id, round_id)
    if resolution is Resolution.credited and played.outcome is None:
        raise RoundNotFailed(
            "This round was never played (its debit's fate was unknown): it can only be "
            "resolved as cancelled."
        )
    now = utcnow()
    call = await _failed_call(session, played)
    closed = await deliveries.close(
        session,
        call.id,
        status=DeliveryStatus.done,
        outcome=f"resolved {resolution}",
        now=now,
        only_from=DeliveryStatus.failed,
    )
    if not closed:
        raise RoundNotFailed()
    await _note(session, call.id, f"resolved as {resolution}", note)
    settled = resolution is Resolution.credited
    await _move(
        session,
        played,
        now,
        status=RoundStatus.settled if settled else RoundStatus.cancelled,
        settled_at=now,
        note=f"resolved by hand as {resolution}: {note}"[:500],
    )
    if settled:
        count_settled(session, played)
    await round_events.closed(
        session, played, RoundStatus.settled if settled else RoundStatus.cancelled
    )
    return await history_of(session, await _reload(session, played.id))


async def _move(session: AsyncSession, played: GameRound, now: datetime, **values: Any) -> None:
    """failed → elsewhere, or RoundNotFailed (and everything rolled back) if it no longer is."""
    if not await repository.transition(
        session, played.id, from_statuses=[RoundStatus.failed], now=now, **values
    ):
        raise RoundNotFailed()


async def _note(session: AsyncSession, delivery_id: str, outcome: str, detail: str | None) -> None:
    """An operator's action, in the call's history beside its tries."""
    await deliveries.record_attempt(
        session,
        delivery_id=delivery_id,
        number=0,
        started_at=utcnow(),
        duration_ms=0,
        outcome=outcome,
        http_status=None,
        detail=detail,
        by="operator",
    )


async def _reload(session: AsyncSession, round_id: str) -> GameRound:
    played = await repository.get(session, round_id)
    assert played is not None
    return played
