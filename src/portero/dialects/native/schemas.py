from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, Field

from portero.kit.pagination import Page
from portero.launches.models import LaunchStatus
from portero.launches.records import LaunchRecord
from portero.players.schemas import PlayerOut

Item = TypeVar("Item", bound=BaseModel)


class ListPage(BaseModel, Generic[Item]):
    """One page of a list, newest first: the shape of every list of the native API. Each list
    names itself (`LaunchList`…) and sets its `url`."""

    object: Literal["list"] = "list"
    url: str
    data: list[Item]
    has_more: bool

    @classmethod
    def of(cls, page: Page[Any], item: Callable[[Any], Item]) -> Self:
        items = [item(found) for found in page.items]
        return cls.model_validate({"data": items, "has_more": page.has_more})


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
        )


class LaunchList(ListPage[LaunchOut]):
    url: str = "/v1/launches"
