"""Bodies and answers of the webhook endpoints (docs/operators.md, "Webhooks")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from portero.dialects.native.schemas import ListPage
from portero.kit.validation import Displayable
from portero.webhooks.events import ALL, EVENT_TYPES
from portero.webhooks.models import EndpointStatus, WebhookEndpoint

Url = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
Description = Annotated[str, StringConstraints(max_length=200), Displayable]


def _known_events(value: list[str]) -> list[str]:
    if not value:
        raise ValueError('at least one event type, or ["*"] for all')
    unknown = [item for item in value if item != ALL and item not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
    return sorted(set(value))


EnabledEvents = Annotated[
    list[str],
    Field(
        max_length=len(EVENT_TYPES) + 1,
        description=f'Event types to receive, or ["*"] for all: {", ".join(EVENT_TYPES)}.',
    ),
]


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="An https:// (or http://) URL on the public internet.")
    enabled_events: EnabledEvents
    description: Description | None = None

    _events = field_validator("enabled_events")(_known_events)


class WebhookEndpointUpdate(BaseModel):
    """A field left out keeps its value. `status` disabled stops deliveries (those pending
    fail when tried); enabled again, new events are delivered, and earlier ones can be sent
    again one by one (redeliver)."""

    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    enabled_events: EnabledEvents | None = None
    description: Description | None = None
    status: EndpointStatus | None = None

    @field_validator("enabled_events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _known_events(value)


class WebhookEndpointOut(BaseModel):
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    id: str
    url: str
    description: str | None
    enabled_events: list[str]
    status: EndpointStatus
    disabled_reason: str | None = Field(
        description="Why it is disabled: by you, a 410 Gone, or failing for days."
    )
    secret: str | None = Field(
        default=None,
        description="`whsec_…`: only in the answer that creates the endpoint or rotates its "
        "secret; never shown again.",
    )
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the previous secret signs too (a second `v1,` signature)."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, *, secret: str | None = None) -> WebhookEndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            enabled_events=list(endpoint.enabled_events),
            status=EndpointStatus(endpoint.status),
            disabled_reason=endpoint.disabled_reason,
            secret=secret,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class WebhookEndpointList(ListPage[WebhookEndpointOut]):
    url: str = "/v1/webhook-endpoints"


class DeliveryTryOut(BaseModel):
    at: datetime
    outcome: str = Field(description="http 200, timeout, connection_error, unsafe_address…")
    http_status: int | None
    latency_ms: int
    reply: str | None = Field(description="The first bytes of the reply (or why nothing was sent).")


class WebhookDeliveryOut(BaseModel):
    object: Literal["webhook_delivery"] = "webhook_delivery"
    id: str
    event_id: str
    status: Literal["pending", "done", "failed"]
    attempts: int
    next_attempt_at: datetime | None = Field(description="While pending: when it is tried.")
    last_outcome: str | None
    created_at: datetime
    tries: list[DeliveryTryOut]

    @classmethod
    def of(cls, delivery: Any, attempts: list[Any]) -> WebhookDeliveryOut:
        return cls.model_validate(
            {
                "id": delivery.id,
                "event_id": delivery.payload["event_id"],
                "status": delivery.status,
                "attempts": delivery.attempts,
                "next_attempt_at": delivery.next_attempt_at
                if delivery.status == "pending"
                else None,
                "last_outcome": delivery.last_outcome,
                "created_at": delivery.created_at,
                "tries": [
                    {
                        "at": a.started_at,
                        "outcome": a.outcome,
                        "http_status": a.http_status,
                        "latency_ms": a.duration_ms,
                        "reply": a.detail,
                    }
                    for a in attempts
                    if a.delivery_id == delivery.id
                ],
            }
        )


class WebhookDeliveryList(ListPage[WebhookDeliveryOut]):
    url: str = "/v1/webhook-endpoints/{endpoint_id}/deliveries"


BODY_MODELS = (WebhookEndpointCreate, WebhookEndpointUpdate)
