"""Delivering an event to an endpoint, as the delivery engine's handler of `webhook`
deliveries: sign (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`
with one `v1,…` per secret that signs now), POST to the checked address, and say what the
answer means: a 2xx is done; 410 disables the endpoint; anything else is tried again on
PORTERO_WEBHOOK_RETRY_SCHEDULE (a Retry-After postpones the next try), and an endpoint that
has failed for PORTERO_WEBHOOK_DISABLE_AFTER_HOURS is disabled."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from portero.delivery.engine import Tried, Verdict
from portero.delivery.repository import Claimed
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.settings import Settings
from portero.webhooks import repository, urls
from portero.webhooks.endpoints import signing_secrets
from portero.webhooks.events import envelope
from portero.webhooks.models import EndpointStatus, WebhookEndpoint, WebhookEvent

log = logging.getLogger("portero.webhooks")
REPLY_BYTES = 256  # what the delivery log keeps of a reply
USER_AGENT = "Portero-Webhooks/1"


@dataclass(frozen=True, slots=True)
class WebhookTry:
    outcome: str  # http 200, timeout, connection_error, unsafe_address, endpoint_disabled
    http_status: int | None = None
    duration_ms: int = 0
    detail: str | None = None  # the first bytes of the reply, or why nothing was sent
    retry_after: float | None = None
    # Whether the endpoint was failing when this try began: a success then clears it (else
    # there is nothing to write).
    was_failing: bool = True


# What a sender adds to an event's data when it sends it (a round's replay link, which the
# transaction that recorded the event could not sign: it holds no settings).
Extras = Callable[[WebhookEvent], Mapping[str, Any] | None]


def body_of(event: WebhookEvent, extras: Extras) -> bytes:
    """The JSON body, compact."""
    return json.dumps(envelope(event, extras(event)), separators=(",", ":")).encode()


def signed_headers(event_id: str, body: bytes, secrets: list[str], at: datetime) -> dict[str, str]:
    signatures = " ".join(Webhook(secret).sign(event_id, at, body) for secret in secrets)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def retry_after(response: httpx.Response, now: datetime) -> float | None:
    """Seconds a 429 or 503 asks to wait (delta-seconds or an HTTP date), if any."""
    if response.status_code not in (429, 503):
        return None
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - now).total_seconds(), 0.0) if moment.tzinfo else None


class WebhookSender:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], settings: Settings, extras: Extras
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.extras = extras
        # No connection is kept alive: each delivery connects to the address it checked, so
        # a pooled connection made for one host name never carries another's request.
        self.client = httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=0),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(self, claimed: Claimed) -> Tried:
        async with session_scope(self.sessions) as session:
            found = await repository.delivery_subject(
                session, claimed.payload["event_id"], claimed.payload["endpoint_id"]
            )
        if found is None or found[1].status != EndpointStatus.enabled:
            return WebhookTry("endpoint_disabled", detail="the endpoint is disabled or gone")
        event, endpoint = found
        try:
            target = await urls.target_of(
                endpoint.url, allow_private=self.settings.allow_private_webhook_urls
            )
        except urls.UnsafeAddress as error:
            return WebhookTry("unsafe_address", detail=str(error))
        tried = await self._post(target, event, endpoint)
        return replace(tried, was_failing=endpoint.failing_since is not None)

    async def _post(
        self, target: urls.Target, event: WebhookEvent, endpoint: WebhookEndpoint
    ) -> WebhookTry:
        now = utcnow()
        body = body_of(event, self.extras)
        headers = signed_headers(event.id, body, signing_secrets(self.settings, endpoint, now), now)
        headers["host"] = target.host_header
        extensions = {"sni_hostname": target.server_name} if target.server_name else {}
        started = time.perf_counter()
        try:
            request = self.client.build_request(
                "POST", target.url, content=body, headers=headers, extensions=extensions
            )
            response = await self.client.send(request, stream=True)
            try:
                reply = await _first_bytes(response)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            return WebhookTry("timeout", duration_ms=_ms(started), detail="no answer in time")
        except httpx.HTTPError as error:
            return WebhookTry(
                "connection_error", duration_ms=_ms(started), detail=type(error).__name__
            )
        return WebhookTry(
            f"http {response.status_code}",
            http_status=response.status_code,
            duration_ms=_ms(started),
            detail=reply.decode("utf-8", "replace") or None,
            retry_after=retry_after(response, now),
        )

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:
        """No lock on the endpoint: its many deliveries settle at once. Each change of its
        health is one conditional UPDATE (cleared on a success, set on the first failure,
        disabled when failing long enough), so concurrent settlements never contradict."""
        endpoint_id = claimed.payload["endpoint_id"]
        status = tried.http_status
        now = utcnow()
        if status is not None and 200 <= status < 300:
            if getattr(tried, "was_failing", True):
                await repository.mark_healthy(session, endpoint_id)
            return Verdict.done
        if tried.outcome == "endpoint_disabled":
            return Verdict.failed
        if status == 410:
            await repository.disable(session, endpoint_id, "the endpoint answered 410 Gone", now)
            return Verdict.failed
        await repository.mark_failing(session, endpoint_id, now)
        hours = self.settings.webhook_disable_after_hours
        if await repository.disable(
            session,
            endpoint_id,
            f"every delivery failed for {hours:g} hours",
            now,
            failing_before=now - timedelta(hours=hours),
        ):
            log.warning("webhook endpoint %s disabled: failing for %g hours", endpoint_id, hours)
            return Verdict.failed
        return Verdict.failed if last_try else Verdict.retry

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        log.warning("webhook delivery %s given up: %s", claimed.id, note)


async def _first_bytes(response: httpx.Response) -> bytes:
    kept = b""
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= REPLY_BYTES:
            break
    return kept[:REPLY_BYTES]


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
