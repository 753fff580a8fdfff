from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class LaunchStatus(enum.StrEnum):
    issued = "issued"
    opened = "opened"
    ended = "ended"
    expired = "expired"
    revoked = "revoked"


class Launch(Base):
    __tablename__ = "launch"
    __table_args__ = (
        # The partner's request id (Idempotency-Key, seed 001's uuid), one namespace per API.
        UniqueConstraint("partner_id", "source", "request_key"),
        Index("ix_launch_partner_id_id", "partner_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(16))
    request_key: Mapped[str | None] = mapped_column(String(255), default=None)
    request_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    token_shape: Mapped[str] = mapped_column(String(16))
    token_nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=LaunchStatus.issued)
    language: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    return_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    # The partner's idle limit when the link was issued, for the play session it will open.
    session_idle_seconds: Mapped[int]
    # The partner's own session id for the player (seed 001's player.session.id, the native
    # API's partner_session_id): a seamless wallet receives it as `sid`.
    partner_session_id: Mapped[str | None] = mapped_column(String(128), default=None)
    # Responsible-gaming limits of a game launch (launches/limits.py); NULL: none.
    limits: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class PlaySession(Base):
    """The browser-side continuation of an opened launch (reloads, API calls of the product).
    One per launch, except for reusable links, which start one at each opening."""

    __tablename__ = "play_session"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    launch_id: Mapped[str] = mapped_column(ForeignKey("launch.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    idle_seconds: Mapped[int]
    client_ip: Mapped[str | None] = mapped_column(String(45), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    idle_expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # The sid a seamless wallet's `check` answered for this session (it replaces the
    # partner's for every later call of the session); None until then.
    wallet_sid: Mapped[str | None] = mapped_column(String(255), default=None)
    # Responsible gaming (launches/limits.py), kept up to date only for a launch with limits:
    # the net loss of the rounds drawn (stakes minus returns, minor units), counted in each
    # round's own transaction; when the next reality check is due; why a limit or the
    # partner ended the session (`loss_limit`, `terminated`), NULL otherwise.
    net_loss: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    reality_check_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    end_reason: Mapped[str | None] = mapped_column(String(16), default=None)
