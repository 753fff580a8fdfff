"""Everything the delivery engine delivers, in one place: the calls owed to partners'
wallets (rounds/recovery.py) and the webhooks (webhooks/sending.py). Server processes and
`portero worker` register the same handlers, so any of them can finish what another began."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI

from portero.delivery.engine import serving
from portero.http.runtime import Runtime
from portero.rounds import recovery
from portero.rounds.events import EVENT_OF
from portero.rounds.replay import replay_url
from portero.settings import Settings
from portero.webhooks.models import WebhookEvent
from portero.webhooks.repository import WEBHOOK
from portero.webhooks.sending import WebhookSender

ROUND_EVENTS = frozenset(EVENT_OF.values())


def replay_extras(settings: Settings, event: WebhookEvent) -> Mapping[str, Any] | None:
    """A round's events carry its signed replay link, as `GET /v1/rounds/{id}` does."""
    if event.type in ROUND_EVENTS:
        return {"replay_url": replay_url(settings, event.data["id"])}
    return None


@contextlib.asynccontextmanager
async def handlers(runtime: Runtime) -> AsyncIterator[None]:
    """The handlers registered for as long as the block lasts (the webhook client closed
    after it)."""
    recovery.register(runtime)
    settings = runtime.settings
    sender = WebhookSender(
        runtime.sessions, settings, extras=lambda event: replay_extras(settings, event)
    )
    runtime.deliveries.register(
        WEBHOOK,
        sender,
        schedule=settings.webhook_schedule,
        timeout_seconds=settings.webhook_timeout_seconds,
    )
    try:
        yield
    finally:
        await sender.aclose()


@contextlib.asynccontextmanager
async def delivering(_app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    """Every server process delivers what is due (PORTERO_DELIVERY_POLL_SECONDS 0: none
    does, as in tests that drive the engine by hand, or beside a `portero worker`)."""
    async with (
        handlers(runtime),
        serving(runtime.deliveries, enabled=runtime.settings.delivery_poll_seconds > 0),
    ):
        yield
