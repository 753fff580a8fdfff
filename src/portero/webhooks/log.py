"""An endpoint's delivery log, and sending one event to it again by hand."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.pagination import Page
from portero.webhooks import repository
from portero.webhooks.endpoints import require
from portero.webhooks.errors import DeliveryInFlight, EventNotFound


async def deliveries(
    session: AsyncSession, *, partner_id: int, endpoint_id: str, limit: int, after: str | None
) -> tuple[Page[Any], list[Any]]:
    """A page of the endpoint's deliveries, newest first, and every try of each."""
    await require(session, partner_id, endpoint_id)
    page = await repository.deliveries_of(
        session, partner_id, endpoint_id, limit=limit, after=after
    )
    tries = await repository.attempts_of(session, [row.id for row in page.items])
    return page, tries


async def redeliver(
    session: AsyncSession, *, partner_id: int, endpoint_id: str, event_id: str
) -> tuple[Any, list[Any]]:
    """The event sent to the endpoint again, from the start of the schedule (with the same
    `webhook-id`: a receiver that already has it knows it by its id)."""
    await require(session, partner_id, endpoint_id)
    delivery = await repository.delivery_of(session, partner_id, endpoint_id, event_id)
    if delivery is None:
        raise EventNotFound(param="event_id")
    if not await repository.redeliver(session, delivery.id, now=utcnow()):
        raise DeliveryInFlight()
    again = await repository.delivery_of(session, partner_id, endpoint_id, event_id)
    return again, await repository.attempts_of(session, [delivery.id])
