"""Queries on deliveries and their attempts. The engine's reads go across partners: it serves
every partner, and each delivery names its own."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from portero.kit.db import matched
from portero.kit.tenancy import across_partners, for_partner

DELIVERY = cast(Table, Delivery.__table__)
ATTEMPT = cast(Table, DeliveryAttempt.__table__)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery someone holds the claim of: only that holder records what came of it."""

    id: str
    partner_id: int
    kind: str
    subject_id: str
    payload: Mapping[str, Any]
    attempts: int  # tries in the current schedule, this one included
    claim_token: str


def new_claim_token() -> str:
    return secrets.token_hex(16)


async def add(
    session: AsyncSession,
    *,
    id: str,
    partner_id: int,
    kind: str,
    subject_id: str,
    payload: Mapping[str, Any],
    due_at: datetime,
    now: datetime,
    claim_token: str | None = None,
    target_id: str | None = None,
) -> Claimed:
    """A new delivery, due at `due_at`. With `claim_token`, the caller holds it (it makes the
    first try itself; `due_at` is then the end of its lease) and counts that try."""
    attempts = 1 if claim_token else 0
    await session.execute(
        insert(DELIVERY).values(
            id=id,
            partner_id=partner_id,
            kind=kind,
            subject_id=subject_id,
            target_id=target_id,
            payload=dict(payload),
            status=DeliveryStatus.pending,
            attempts=attempts,
            next_attempt_at=due_at,
            claim_token=claim_token,
            created_at=now,
            updated_at=now,
        )
    )
    return Claimed(id, partner_id, kind, subject_id, payload, attempts, claim_token or "")


async def next_due(session: AsyncSession, *, kinds: list[str]) -> datetime | None:
    """When the first pending delivery of `kinds` is due (None: none is pending): the
    engine's probe, one look at `ix_delivery_due` for every kind at once. `pending` is sent as
    a literal, the text of that partial index, so that a generic plan uses it too."""
    query = select(func.min(DELIVERY.c.next_attempt_at)).where(
        DELIVERY.c.status == literal(DeliveryStatus.pending.value, literal_execute=True),
        DELIVERY.c.kind.in_(kinds),
    )
    due: datetime | None = await session.scalar(across_partners(query))
    return due


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    kinds: list[str] | None = None,
) -> list[Claimed]:
    """Claim up to `limit` pending deliveries that are due, oldest due first. On PostgreSQL the
    rows another process is claiming are skipped (FOR UPDATE SKIP LOCKED); the UPDATE checks
    again that each row is still pending and due, so that two claimants can never both win one
    (SQLite runs one writer at a time, and the second finds the row's lease moved)."""
    due = across_partners(
        select(DELIVERY.c.id)
        .where(DELIVERY.c.status == DeliveryStatus.pending, DELIVERY.c.next_attempt_at <= now)
        .order_by(DELIVERY.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if kinds is not None:
        due = due.where(DELIVERY.c.kind.in_(kinds))
    ids = list((await session.scalars(due)).all())
    if not ids:
        return []
    token = new_claim_token()
    rows = await session.execute(
        update(DELIVERY)
        .where(
            DELIVERY.c.id.in_(ids),
            DELIVERY.c.status == DeliveryStatus.pending,
            DELIVERY.c.next_attempt_at <= now,
        )
        .values(
            claim_token=token,
            next_attempt_at=lease_until,
            attempts=DELIVERY.c.attempts + 1,
            updated_at=now,
        )
        .returning(
            DELIVERY.c.id,
            DELIVERY.c.partner_id,
            DELIVERY.c.kind,
            DELIVERY.c.subject_id,
            DELIVERY.c.payload,
            DELIVERY.c.attempts,
        )
    )
    return [
        Claimed(
            id=row.id,
            partner_id=row.partner_id,
            kind=row.kind,
            subject_id=row.subject_id,
            payload=row.payload,
            attempts=row.attempts,
            claim_token=token,
        )
        for row in rows
    ]


async def hold(session: AsyncSession, claimed: Claimed, *, now: datetime) -> bool:
    """Whether the claim is still the caller's; if so the row stays locked (PostgreSQL) until
    the transaction ends, so that what the caller records cannot race a new claimant."""
    result = await session.execute(
        update(DELIVERY)
        .where(
            DELIVERY.c.id == claimed.id,
            DELIVERY.c.claim_token == claimed.claim_token,
            DELIVERY.c.status == DeliveryStatus.pending,
        )
        .values(updated_at=now)
    )
    return matched(result)


async def extend(session: AsyncSession, claimed: Claimed, *, until: datetime) -> bool:
    """Move the claim's lease (a partner whose calls may take longer than the default)."""
    result = await session.execute(
        update(DELIVERY)
        .where(DELIVERY.c.id == claimed.id, DELIVERY.c.claim_token == claimed.claim_token)
        .values(next_attempt_at=until)
    )
    return matched(result)


async def close(
    session: AsyncSession,
    delivery_id: str,
    *,
    status: DeliveryStatus,
    outcome: str,
    now: datetime,
    only_from: DeliveryStatus | None = None,
) -> bool:
    """The delivery is over (done or failed): nobody claims it again. `only_from`: only if it
    is still in that state (an operator's action racing another)."""
    condition = DELIVERY.c.id == delivery_id
    if only_from is not None:
        condition = condition & (DELIVERY.c.status == only_from)
    result = await session.execute(
        update(DELIVERY)
        .where(condition)
        .values(
            status=status,
            last_outcome=outcome[:64],
            claim_token=None,
            completed_at=now,
            updated_at=now,
        )
    )
    return matched(result)


async def reschedule(
    session: AsyncSession, delivery_id: str, *, due_at: datetime, outcome: str, now: datetime
) -> None:
    """Try again at `due_at`, whoever claims it then."""
    await session.execute(
        update(DELIVERY)
        .where(DELIVERY.c.id == delivery_id)
        .values(next_attempt_at=due_at, last_outcome=outcome[:64], claim_token=None, updated_at=now)
    )


async def restart(session: AsyncSession, delivery_id: str, *, now: datetime) -> bool:
    """A failed delivery, pending again from the start of its schedule (an operator's retry);
    False if it is no longer failed."""
    result = await session.execute(
        update(DELIVERY)
        .where(DELIVERY.c.id == delivery_id, DELIVERY.c.status == DeliveryStatus.failed)
        .values(
            status=DeliveryStatus.pending,
            attempts=0,
            next_attempt_at=now,
            claim_token=None,
            completed_at=None,
            updated_at=now,
        )
    )
    return matched(result)


async def record_attempt(session: AsyncSession, **values: Any) -> None:
    """One try (or an operator's action on the delivery), for its history."""
    values["detail"] = (values.get("detail") or None) and str(values["detail"])[:500]
    values["outcome"] = str(values["outcome"])[:64]
    await session.execute(insert(ATTEMPT).values(**values))


async def of_subject(session: AsyncSession, partner_id: int, subject_id: str) -> list[Any]:
    """The deliveries of one subject (a round), oldest first."""
    query = for_partner(
        select(DELIVERY).where(DELIVERY.c.subject_id == subject_id), DELIVERY, partner_id
    ).order_by(DELIVERY.c.created_at)
    return list((await session.execute(query)).all())


async def attempts_of(session: AsyncSession, delivery_ids: list[str]) -> list[Any]:
    """The history of some deliveries (already found under a partner's scope), in order."""
    if not delivery_ids:
        return []
    query = (
        select(ATTEMPT)
        .where(ATTEMPT.c.delivery_id.in_(delivery_ids))
        .order_by(ATTEMPT.c.id)  # as recorded
    )
    return list((await session.execute(query)).all())


async def undone_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Pending and failed deliveries by (kind, status), for the gauges."""
    query = across_partners(
        select(DELIVERY.c.kind, DELIVERY.c.status, func.count())
        .where(DELIVERY.c.status != DeliveryStatus.done)
        .group_by(DELIVERY.c.kind, DELIVERY.c.status)
    )
    return {(kind, status): count for kind, status, count in await session.execute(query)}


async def of_subjects(
    session: AsyncSession, partner_id: int, subject_ids: list[str], *, kind_prefix: str
) -> list[Any]:
    """The deliveries of some subjects (a page of rounds) whose kind starts with
    `kind_prefix`, oldest first."""
    if not subject_ids:
        return []
    query = for_partner(
        select(DELIVERY).where(
            DELIVERY.c.subject_id.in_(subject_ids), DELIVERY.c.kind.startswith(kind_prefix)
        ),
        DELIVERY,
        partner_id,
    ).order_by(DELIVERY.c.created_at)
    return list((await session.execute(query)).all())


async def delete_of_subjects(session: AsyncSession, subject_ids: list[str]) -> int:
    """Remove the deliveries of purged subjects (their attempts go with them)."""
    if not subject_ids:
        return 0
    ids = select(DELIVERY.c.id).where(DELIVERY.c.subject_id.in_(subject_ids))
    await session.execute(delete(ATTEMPT).where(ATTEMPT.c.delivery_id.in_(ids)))
    result = await session.execute(delete(DELIVERY).where(DELIVERY.c.subject_id.in_(subject_ids)))
    return int(getattr(result, "rowcount", 0) or 0)
