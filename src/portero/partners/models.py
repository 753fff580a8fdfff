from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class PartnerStatus(enum.StrEnum):
    active = "active"
    disabled = "disabled"


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[PartnerStatus] = mapped_column(
        Enum(PartnerStatus, native_enum=False, length=16), default=PartnerStatus.active
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    is_demo: Mapped[bool] = mapped_column(default=False)

    # Launch configuration. `configured_at` stays NULL until products have been chosen: an
    # unconfigured partner cannot launch anything.
    configured_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    products: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_language: Mapped[str] = mapped_column(String(2), default="en")
    default_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    launch_ttl_seconds: Mapped[int] = mapped_column(default=300)
    session_idle_seconds: Mapped[int] = mapped_column(default=1800)
    frame_ancestors: Mapped[list[str]] = mapped_column(JSON, default=list)
    return_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    # Shown on every game page (responsible gaming): a link to the partner's page about
    # playing responsibly (https) and a short age notice ("18+").
    responsible_gaming_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    age_notice: Mapped[str | None] = mapped_column(String(32), default=None)
    # Whether its slot pages may offer autoplay (a launch may still take it off); off for a
    # jurisdiction that forbids it, whatever API its launches come through.
    autoplay: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Per currency: demo credit and table limits in minor units (see partners/terms.py);
    # a currency left out plays on the defaults.
    currency_terms: Mapped[dict[str, dict[str, int]]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    # The wallet its games settle with (wallet/modes.py, docs/wallets.md). A seamless wallet is
    # called at `wallet_url` with the auth token, which is kept sealed (kit/sealing.py: Portero
    # must send it, so it cannot be a hash) and shown only by its hint; `wallet_timeout_seconds`
    # overrides PORTERO_WALLET_TIMEOUT_SECONDS.
    wallet_mode: Mapped[str] = mapped_column(
        String(16), default="demo", server_default=text("'demo'")
    )
    wallet_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    wallet_token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    wallet_token_hint: Mapped[str | None] = mapped_column(String(20), default=None)
    wallet_timeout_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    # The call desk's opening hours for calls of no category with hours of its own
    # (calls/hours.py); none: always open.
    call_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class PartnerToken(Base):
    __tablename__ = "partner_token"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    hint: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
