"""Plain records of a launch and its player, read without building ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portero.launches.models import LaunchStatus


@dataclass(frozen=True, slots=True)
class PlayerRecord:
    external_id: str
    name: str | None
    nickname: str | None
    email: str | None
    cellphone: str | None
    language: str | None
    currency: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LaunchRecord:
    id: str
    partner_id: int
    product: str
    params: dict[str, Any]
    source: str
    status: str
    language: str
    currency: str
    return_url: str | None
    token_shape: str
    token_nonce: bytes
    request_hash: bytes | None
    created_at: datetime
    expires_at: datetime
    opened_at: datetime | None
    ended_at: datetime | None
    player: PlayerRecord
    limits: dict[str, int] | None = None  # responsible gaming (launches/limits.py)

    def effective_status(self, now: datetime) -> LaunchStatus:
        """An issued launch past its expiry is expired even before the sweep records it."""
        if self.status == LaunchStatus.issued and self.expires_at <= now:
            return LaunchStatus.expired
        return LaunchStatus(self.status)


PLAYER_FIELDS = tuple(PlayerRecord.__dataclass_fields__)
LAUNCH_FIELDS = tuple(name for name in LaunchRecord.__dataclass_fields__ if name != "player")
