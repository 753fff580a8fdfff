"""A partner's webhook endpoints: created with a URL and the event types they take, updated,
disabled, deleted; each with its signing secret (`whsec_` and 32 random bytes in base64),
shown once when made and kept sealed. Rotating the secret keeps the previous one signing for
an overlap (PORTERO_WEBHOOK_SECRET_OVERLAP_HOURS), so receivers can switch without a gap."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.ids import new_id
from portero.kit.pagination import Page
from portero.kit.sealing import seal, unseal
from portero.settings import Settings
from portero.webhooks import repository, urls
from portero.webhooks.errors import EndpointNotFound
from portero.webhooks.models import EndpointStatus, WebhookEndpoint

SECRET_PURPOSE = "webhook-secret"  # noqa: S105 (the sealing key's purpose, not a secret)
SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True, slots=True)
class EndpointChange:
    url: str | None = None
    enabled_events: list[str] | None = None
    description: str | None = None
    status: EndpointStatus | None = None


async def create(
    session: AsyncSession,
    settings: Settings,
    *,
    partner_id: int,
    url: str,
    enabled_events: list[str],
    description: str | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (in clear: the only time it is shown)."""
    await urls.check(url, allow_private=settings.allow_private_webhook_urls)
    secret = new_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(
        id=new_id("whe"),
        partner_id=partner_id,
        url=url,
        description=description,
        enabled_events=enabled_events,
        status=EndpointStatus.enabled,
        secret=seal(settings.signing_key, SECRET_PURPOSE, secret),
        created_at=now,
        updated_at=now,
    )
    repository.add(session, endpoint)
    await session.flush()
    return endpoint, secret


async def require(
    session: AsyncSession, partner_id: int, endpoint_id: str, *, lock: bool = False
) -> WebhookEndpoint:
    found = await repository.endpoint(session, partner_id, endpoint_id, lock=lock)
    if found is None:
        raise EndpointNotFound(param="endpoint_id")
    return found


async def listed(
    session: AsyncSession, partner_id: int | None, *, limit: int, after: str | None
) -> Page[WebhookEndpoint]:
    return await repository.endpoints(session, partner_id, limit=limit, after=after)


async def update(
    session: AsyncSession,
    settings: Settings,
    *,
    partner_id: int,
    endpoint_id: str,
    change: EndpointChange,
) -> WebhookEndpoint:
    endpoint = await require(session, partner_id, endpoint_id, lock=True)
    if change.url is not None:
        endpoint.url = await urls.check(
            change.url, allow_private=settings.allow_private_webhook_urls
        )
    if change.enabled_events is not None:
        endpoint.enabled_events = change.enabled_events
    if change.description is not None:
        endpoint.description = change.description
    if change.status is not None and change.status != endpoint.status:
        endpoint.status = change.status
        # Enabled again: its failures so far no longer count; disabled: by the partner.
        endpoint.failing_since = None
        endpoint.disabled_reason = (
            "disabled by the partner" if change.status is EndpointStatus.disabled else None
        )
    endpoint.updated_at = utcnow()
    await session.flush()
    return endpoint


async def rotate(
    session: AsyncSession, settings: Settings, *, partner_id: int, endpoint_id: str
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing beside it for the overlap."""
    endpoint = await require(session, partner_id, endpoint_id, lock=True)
    now = utcnow()
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(
        hours=settings.webhook_secret_overlap_hours
    )
    endpoint.secret = seal(settings.signing_key, SECRET_PURPOSE, secret)
    endpoint.updated_at = now
    await session.flush()
    return endpoint, secret


async def remove(session: AsyncSession, *, partner_id: int, endpoint_id: str) -> None:
    if not await repository.remove_endpoint(session, partner_id, endpoint_id):
        raise EndpointNotFound(param="endpoint_id")


def signing_secrets(settings: Settings, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one while
    its overlap lasts."""
    found = [unseal(settings.signing_key, SECRET_PURPOSE, endpoint.secret)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret is not None and expires is not None and now < expires:
        found.append(unseal(settings.signing_key, SECRET_PURPOSE, endpoint.previous_secret))
    return found
