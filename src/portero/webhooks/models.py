from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class EndpointStatus(enum.StrEnum):
    enabled = "enabled"
    disabled = "disabled"


class WebhookEndpoint(Base):
    """A partner's URL that receives the events it subscribed to, signed with its secret.

    The secret is sealed (kit/sealing.py): Portero must sign with it, so it cannot be a hash.
    During a rotation the previous secret signs too, until `previous_secret_expires_at`.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_partner_id_status", "partner_id", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(200), default=None)
    enabled_events: Mapped[list[str]] = mapped_column(JSON)  # types, or ["*"]
    status: Mapped[str] = mapped_column(String(16), default=EndpointStatus.enabled)
    # Why it is disabled: by the partner, an operator, a 410, or failing for days.
    disabled_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # The first failed delivery since the last success: failing for days disables it.
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebhookEvent(Base):
    """Something that happened, recorded in the transaction of the change it reports; `data`
    is the object the native API returns for it at that moment. Never updated."""

    __tablename__ = "webhook_event"
    __table_args__ = (
        Index("ix_webhook_event_partner_id_created_at", "partner_id", "created_at"),
        Index("ix_webhook_event_created_at", "created_at"),  # the retention purge
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
