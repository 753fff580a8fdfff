"""Queries on webhook endpoints and events, each scoped to its partner (kit/tenancy.py), and
on the deliveries that carry the events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from portero.kit.db import matched
from portero.kit.pagination import Page, fetch_page, newest_first
from portero.kit.tenancy import across_partners, for_partner
from portero.webhooks.models import EndpointStatus, WebhookEndpoint, WebhookEvent

DELIVERY = cast(Table, Delivery.__table__)
ATTEMPT = cast(Table, DeliveryAttempt.__table__)
WEBHOOK = "webhook"  # the deliveries' kind


def add(session: AsyncSession, row: WebhookEndpoint | WebhookEvent) -> None:
    session.add(row)


async def endpoint(
    session: AsyncSession, partner_id: int, endpoint_id: str, *, lock: bool = False
) -> WebhookEndpoint | None:
    query = for_partner(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .execution_options(populate_existing=True),
        WebhookEndpoint,
        partner_id,
    )
    if lock:
        query = query.with_for_update()
    found: WebhookEndpoint | None = await session.scalar(query)
    return found


async def endpoints(
    session: AsyncSession, partner_id: int | None, *, limit: int, after: str | None
) -> Page[WebhookEndpoint]:
    """A partner's endpoints (every partner's: the CLI), newest first."""
    query = select(WebhookEndpoint)
    query = (
        for_partner(query, WebhookEndpoint, partner_id)
        if partner_id is not None
        else across_partners(query)
    )
    query = newest_first(query, WebhookEndpoint.id, after)
    return await fetch_page(session, query, limit=limit, scalars=True)


async def subscribers(session: AsyncSession, partner_id: int) -> list[tuple[str, list[str]]]:
    """The partner's enabled endpoints and the event types each takes."""
    query = for_partner(
        cast(
            Select[Any],
            select(WebhookEndpoint.id, WebhookEndpoint.enabled_events).where(
                WebhookEndpoint.status == EndpointStatus.enabled
            ),
        ),
        WebhookEndpoint,
        partner_id,
    )
    return [(row[0], list(row[1])) for row in await session.execute(query)]


async def remove_endpoint(session: AsyncSession, partner_id: int, endpoint_id: str) -> bool:
    """The endpoint and its pending deliveries (its delivery log goes with them)."""
    result = await session.execute(
        for_partner(
            delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id),
            WebhookEndpoint,
            partner_id,
        )
    )
    if not matched(result):
        return False
    ids = select(DELIVERY.c.id).where(DELIVERY.c.target_id == endpoint_id)
    await session.execute(delete(ATTEMPT).where(ATTEMPT.c.delivery_id.in_(ids)))
    await session.execute(delete(DELIVERY).where(DELIVERY.c.target_id == endpoint_id))
    return True


async def event(session: AsyncSession, partner_id: int, event_id: str) -> WebhookEvent | None:
    query = for_partner(
        select(WebhookEvent).where(WebhookEvent.id == event_id), WebhookEvent, partner_id
    )
    found: WebhookEvent | None = await session.scalar(query)
    return found


async def delivery_subject(
    session: AsyncSession, event_id: str, endpoint_id: str
) -> tuple[WebhookEvent, WebhookEndpoint] | None:
    """The event and the endpoint a delivery names, in one query (both were recorded under
    the delivery's partner's scope)."""
    query = across_partners(
        cast(
            Select[Any],
            select(WebhookEvent, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.partner_id == WebhookEvent.partner_id)
            .where(WebhookEvent.id == event_id, WebhookEndpoint.id == endpoint_id),
        )
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def deliveries_of(
    session: AsyncSession, partner_id: int, endpoint_id: str, *, limit: int, after: str | None
) -> Page[Any]:
    """An endpoint's deliveries, newest first."""
    query = for_partner(
        select(DELIVERY).where(DELIVERY.c.target_id == endpoint_id), DELIVERY, partner_id
    )
    return await fetch_page(session, newest_first(query, DELIVERY.c.id, after), limit=limit)


async def delivery_of(
    session: AsyncSession, partner_id: int, endpoint_id: str, event_id: str
) -> Any | None:
    query = for_partner(
        select(DELIVERY).where(
            DELIVERY.c.target_id == endpoint_id,
            DELIVERY.c.subject_id == subject_of(event_id, endpoint_id),
            DELIVERY.c.kind == WEBHOOK,
        ),
        DELIVERY,
        partner_id,
    )
    return (await session.execute(query)).first()


async def attempts_of(session: AsyncSession, delivery_ids: list[str]) -> list[Any]:
    """The tries of deliveries found under a partner's scope, in order."""
    if not delivery_ids:
        return []
    query = select(ATTEMPT).where(ATTEMPT.c.delivery_id.in_(delivery_ids)).order_by(ATTEMPT.c.id)
    return list((await session.execute(query)).all())


async def redeliver(session: AsyncSession, delivery_id: str, *, now: datetime) -> bool:
    """A delivery due again now, from the start of its schedule, whatever its state: a
    partner's manual redelivery. False if someone holds a claim on it right now."""
    result = await session.execute(
        update(DELIVERY)
        .where(
            DELIVERY.c.id == delivery_id,
            (DELIVERY.c.status != DeliveryStatus.pending) | (DELIVERY.c.claim_token.is_(None)),
        )
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


async def mark_healthy(session: AsyncSession, endpoint_id: str) -> None:
    """A delivery succeeded: the endpoint's failures so far no longer count."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.failing_since.is_not(None))
        .values(failing_since=None)
    )


async def mark_failing(session: AsyncSession, endpoint_id: str, now: datetime) -> None:
    """A delivery failed: the endpoint has been failing since now, unless since earlier."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.failing_since.is_(None))
        .values(failing_since=now)
    )


async def disable(
    session: AsyncSession,
    endpoint_id: str,
    reason: str,
    now: datetime,
    *,
    failing_before: datetime | None = None,
) -> bool:
    """Disable an enabled endpoint (only if it has been failing since before
    `failing_before`, when given); whether this call disabled it."""
    condition = (WebhookEndpoint.id == endpoint_id) & (
        WebhookEndpoint.status == EndpointStatus.enabled
    )
    if failing_before is not None:
        condition = condition & (WebhookEndpoint.failing_since <= failing_before)
    result = await session.execute(
        update(WebhookEndpoint)
        .where(condition)
        .values(status=EndpointStatus.disabled, disabled_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return matched(result)


def subject_of(event_id: str, endpoint_id: str) -> str:
    """A webhook delivery's subject: one delivery per event and endpoint."""
    return f"{event_id}.{endpoint_id}"


async def purgeable_events(session: AsyncSession, *, before: datetime, limit: int) -> list[str]:
    query = across_partners(
        select(WebhookEvent.id)
        .where(WebhookEvent.created_at < before)
        .order_by(WebhookEvent.created_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def count_purgeable_events(session: AsyncSession, *, before: datetime) -> int:
    query = across_partners(select(func.count()).where(WebhookEvent.created_at < before))
    return int(await session.scalar(query) or 0)


async def delete_events(session: AsyncSession, event_ids: list[str]) -> None:
    await session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(event_ids)))


async def purgeable_deliveries(session: AsyncSession, *, below_id: str, limit: int) -> list[str]:
    """Webhook deliveries made before a moment (ids are time-ordered: `below_id` is the
    moment's lowest id) that are no longer pending, oldest first."""
    query = across_partners(
        select(DELIVERY.c.id)
        .where(
            DELIVERY.c.id < below_id,
            DELIVERY.c.kind == WEBHOOK,
            DELIVERY.c.status != DeliveryStatus.pending,
        )
        .order_by(DELIVERY.c.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def delete_deliveries(session: AsyncSession, delivery_ids: list[str]) -> None:
    await session.execute(delete(ATTEMPT).where(ATTEMPT.c.delivery_id.in_(delivery_ids)))
    await session.execute(delete(DELIVERY).where(DELIVERY.c.id.in_(delivery_ids)))
