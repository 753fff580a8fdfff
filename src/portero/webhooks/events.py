"""Events: recorded in the transaction of the change they report (no event for a change that
rolled back, no change without its event), with one delivery per subscribed endpoint, which
the delivery engine then makes (webhooks/sending.py).

An event is recorded only when at least one enabled endpoint of the partner takes its type:
a partner without webhooks costs its rounds one indexed read, and nothing is kept for nobody.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery import repository as deliveries
from portero.kit.clock import utcnow
from portero.kit.ids import new_id
from portero.webhooks import repository
from portero.webhooks.models import WebhookEvent
from portero.webhooks.repository import WEBHOOK, subject_of

EVENT_TYPES = (
    "launch.opened",
    "launch.expired",
    "launch.revoked",
    "round.settled",
    "round.cancelled",
    "wallet.transaction.failed",
    "call.requested",
    "call.answered",
    "call.ended",
    "call.missed",
    "call.rated",
    "call.transfer_requested",
    "call.transferred",
    "call.transfer_failed",
    "callback.requested",
    "callback.done",
)
ALL = "*"


def takes(enabled_events: list[str], event_type: str) -> bool:
    return ALL in enabled_events or event_type in enabled_events


async def record(
    session: AsyncSession,
    *,
    partner_id: int,
    event_type: str,
    data: Callable[[], Awaitable[Any]],
) -> str | None:
    """Record an event and its deliveries in the caller's transaction; `data` (called only if
    someone subscribed) gives the object the native API returns for the subject (a model or a
    JSON-ready mapping). The event's id, or None when no endpoint takes the type."""
    assert event_type in EVENT_TYPES, event_type
    endpoints = [
        endpoint_id
        for endpoint_id, enabled in await repository.subscribers(session, partner_id)
        if takes(enabled, event_type)
    ]
    if not endpoints:
        return None
    payload = await data()
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else dict(payload)
    now = utcnow()
    event = WebhookEvent(
        id=new_id("evt"), partner_id=partner_id, type=event_type, data=body, created_at=now
    )
    repository.add(session, event)
    await session.flush()
    for endpoint_id in endpoints:
        await deliveries.add(
            session,
            id=new_id("dlv"),
            partner_id=partner_id,
            kind=WEBHOOK,
            subject_id=subject_of(event.id, endpoint_id),
            target_id=endpoint_id,
            payload={"event_id": event.id, "endpoint_id": endpoint_id},
            due_at=now,
            now=now,
        )
    return event.id


def envelope(event: WebhookEvent, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The body an endpoint receives: `{id, type, created_at, data}`."""
    data = dict(event.data) | dict(extra or {})
    return {
        "id": event.id,
        "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }
