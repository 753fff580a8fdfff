"""A launch as the native API shows it, and as its webhook events carry it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from portero.launches.limits import ResponsibleGamingLimits, wire_limits
from portero.launches.models import LaunchStatus
from portero.launches.records import LaunchRecord
from portero.players.schemas import PlayerOut


class LaunchOut(BaseModel):
    object: Literal["launch"] = "launch"
    id: str
    url: str | None = Field(description="The one-time link while it can still be opened.")
    status: LaunchStatus
    product: str
    params: dict[str, Any]
    player: PlayerOut
    language: str
    currency: str
    return_url: str | None
    source: str = Field(description="The API the launch was requested through.")
    created_at: datetime
    expires_at: datetime
    opened_at: datetime | None
    ended_at: datetime | None
    responsible_gaming: ResponsibleGamingLimits | None = Field(
        default=None, description="The limits given at launch (games only); null: none."
    )

    @classmethod
    def of(cls, launch: LaunchRecord, *, url: str | None, now: datetime) -> LaunchOut:
        status = launch.effective_status(now)
        p = launch.player
        # Built from rows Portero itself wrote: no need to validate them again.
        return cls.model_construct(
            id=launch.id,
            url=url if status is LaunchStatus.issued else None,
            status=status,
            product=launch.product,
            params=launch.params,
            player=PlayerOut.model_construct(
                id=p.external_id,
                name=p.name,
                nickname=p.nickname,
                email=p.email,
                cellphone=p.cellphone,
                language=p.language,
                currency=p.currency,
                created_at=p.created_at,
                updated_at=p.updated_at,
            ),
            language=launch.language,
            currency=launch.currency,
            return_url=launch.return_url,
            source=launch.source,
            created_at=launch.created_at,
            expires_at=launch.expires_at,
            opened_at=launch.opened_at,
            ended_at=launch.ended_at,
            responsible_gaming=wire_limits(launch.limits),
        )
