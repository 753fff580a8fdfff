from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel

from portero.kit.pagination import Page
from portero.launches.views import LaunchOut

__all__ = ["LaunchList", "LaunchOut", "ListPage"]

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


class LaunchList(ListPage[LaunchOut]):
    url: str = "/v1/launches"
