"""The partner's call records: what happened to each call, read for the native API and the CLI
(queries in record_repository.py, scoped to the partner)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import directory, transfer_repository
from portero.calls import record_repository as repository
from portero.calls.errors import CallNotFound
from portero.calls.models import CallStatus
from portero.kit.pagination import Page

CALL_ID_PATTERN = r"^call_[0-9a-z]{26}$"
_CALL_ID = re.compile(CALL_ID_PATTERN)


@dataclass(frozen=True, slots=True)
class OfferRecord:
    agent_code: str
    offered_at: datetime
    answered_at: datetime | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """An agent's hand-over of the call (calls/transfers.py), by codes."""

    from_agent: str | None
    to_agent: str | None
    to_category: str | None
    offered_to: str | None
    note: str | None
    status: str
    created_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class LegRecord:
    """One agent's stretch of the call: from its answer (or the transfer it accepted) to the
    call's end (or the transfer another agent accepted)."""

    agent_code: str | None
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """The customer's rating of the call, once they gave one."""

    score: int
    comment: str | None
    rated_at: datetime


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: str
    status: CallStatus
    launch_id: str
    customer_id: str
    customer_name: str | None
    customer_cellphone: str | None
    customer_email: str | None
    target_agent: str | None
    target_category: str | None
    agent_code: str | None
    agent_name: str | None
    tickets: list[dict[str, Any]]
    created_at: datetime
    offered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None
    offers: list[OfferRecord]
    satisfaction: Satisfaction | None
    transfers: list[TransferRecord]

    @property
    def legs(self) -> list[LegRecord]:
        """Who talked to the customer when: the agent who answered, then each agent who
        accepted a transfer."""
        if self.answered_at is None:
            return []
        answered = [o.agent_code for o in self.offers if o.outcome == "accepted"]
        taken = [t for t in self.transfers if t.status == "accepted" and t.answered_at]
        agent = answered[0] if answered else (taken[0].from_agent if taken else self.agent_code)
        legs: list[LegRecord] = []
        started = self.answered_at
        for transfer in taken:
            assert transfer.answered_at is not None
            legs.append(LegRecord(agent, started, transfer.answered_at))
            agent, started = transfer.offered_to, transfer.answered_at
        legs.append(LegRecord(agent, started, self.ended_at))
        return legs

    @property
    def duration_seconds(self) -> int | None:
        """Talking time: from the answer to the end."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return round((self.ended_at - self.answered_at).total_seconds())


async def get_call(session: AsyncSession, *, partner_id: int, call_id: str) -> CallRecord:
    row = None
    if _CALL_ID.match(call_id):
        row = await repository.record(session, partner_id=partner_id, call_id=call_id)
    if row is None:
        raise CallNotFound(f"No call {call_id} for this partner.")
    return (await _with_offers(session, [row]))[0]


async def list_calls(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int = 20,
    starting_after: str | None = None,
    agent: str | None = None,
    status: CallStatus | None = None,
) -> Page[CallRecord]:
    """Newest first (call ids are time-ordered); `agent` keeps the calls addressed to that agent
    or answered by it (an unknown code matches none)."""
    agent_id = None
    if agent is not None:
        agent_id = await directory.agent_id(session, partner_id=partner_id, code=agent)
        if agent_id is None:
            return Page([], has_more=False)
    page = await repository.records(
        session,
        partner_id=partner_id,
        limit=limit,
        after=starting_after,
        agent_id=agent_id,
        status=status,
    )
    return Page(await _with_offers(session, page.items), page.has_more)


async def _with_offers(session: AsyncSession, rows: list[Row[Any]]) -> list[CallRecord]:
    call_ids = [row.id for row in rows]
    offers = await repository.offers_of(session, call_ids)
    transfers = await transfer_repository.of_calls(session, call_ids)
    return [
        _record(
            row,
            [OfferRecord(*offer) for offer in offers[row.id]],
            [_transfer(transfer) for transfer in transfers[row.id]],
        )
        for row in rows
    ]


def _transfer(row: Row[Any]) -> TransferRecord:
    return TransferRecord(
        from_agent=row.from_code,
        to_agent=row.to_agent_code,
        to_category=row.to_category_code,
        offered_to=row.offered_code,
        note=row.note,
        status=row.status,
        created_at=row.created_at,
        answered_at=row.answered_at,
    )


def _record(
    row: Row[Any], offers: list[OfferRecord], transfers: list[TransferRecord]
) -> CallRecord:
    status = CallStatus(row.status)
    # The call row keeps the agent of an offer the customer walked away from; the record names
    # only the agent who answered, or the one it is ringing on now.
    handled = row.answered_at is not None or status is CallStatus.ringing
    return CallRecord(
        id=row.id,
        status=status,
        launch_id=row.launch_id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        customer_cellphone=row.customer_cellphone,
        customer_email=row.customer_email,
        target_agent=row.target_agent,
        target_category=row.target_category,
        agent_code=row.agent_code if handled else None,
        agent_name=row.agent_name if handled else None,
        tickets=list(row.tickets or []),
        created_at=row.created_at,
        offered_at=row.offered_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        offers=offers,
        satisfaction=_satisfaction(row),
        transfers=transfers,
    )


def _satisfaction(row: Row[Any]) -> Satisfaction | None:
    if row.satisfaction_score is None or row.rated_at is None:
        return None
    return Satisfaction(row.satisfaction_score, row.satisfaction_comment, row.rated_at)
