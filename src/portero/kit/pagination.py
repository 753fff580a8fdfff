"""One way to list: newest first, a page at a time, continuing after the last item seen.

A list query is ordered by a key that only grows (time-ordered string ids, or integer ids), so
that a page continues strictly after its cursor: items created meanwhile never shift a page
that is being walked, and no item is seen twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    items: list[Item]
    has_more: bool


def newest_first(
    query: Select[Any], key: ColumnElement[Any] | QueryableAttribute[Any], after: Any | None
) -> Select[Any]:
    """`query` ordered by `key` descending, from just below `after` (None: from the newest)."""
    if after is not None:
        query = query.where(key < after)
    return query.order_by(key.desc())


async def fetch_page(
    session: AsyncSession, query: Select[Any], *, limit: int, scalars: bool = False
) -> Page[Any]:
    """Up to `limit` rows of an ordered query (ORM objects with `scalars`); one row more is
    asked for, to know whether another page follows."""
    result = await session.execute(query.limit(limit + 1))
    rows = list(result.scalars() if scalars else result.all())
    return Page(rows[:limit], has_more=len(rows) > limit)


async def every_item(
    page: Callable[[str | None], Awaitable[Page[Item]]], cursor: Callable[[Item], str]
) -> list[Item]:
    """Every item of a paged listing, walking the pages (for small listings: a partner's
    directory in the CLI); `cursor` names an item as the next page's `starting_after`."""
    items: list[Item] = []
    after = None
    while True:
        found = await page(after)
        items += found.items
        if not found.has_more or not found.items:
            return items
        after = cursor(found.items[-1])
