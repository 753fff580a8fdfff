"""A desk's opening hours: per category, with the partner's own as the default for the rest;
outside them a call is missed as it joins (calls/queue.py) and its page offers a callback.

Weekly intervals in wall-clock time of one time zone, and dates on which the desk stays
closed. An interval whose closing time is not after its opening time runs past midnight into
the next day ("22:00"-"02:00"); "00:00" as a closing time is midnight at the end of the day,
so "00:00"-"00:00" is the whole day. A closed date closes the intervals that open on it (a
shift that starts the evening before still runs into it). Times are compared on the wall
clock of the instant asked about, so a change to or from summer time moves nothing: the desk
opens at 09:00 local whatever the offset that day.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import directory
from portero.calls import hours_repository as repository
from portero.kit.validation import Displayable

MAX_OFFLINE_MESSAGE = 500


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


WEEK = list(Weekday)
WallTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
OfflineMessage = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_OFFLINE_MESSAGE),
    Displayable,
]


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class Interval(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    opens: WallTime = Field(description='Local time, "HH:MM" (24-hour clock).')
    closes: WallTime = Field(
        description='Local time, "HH:MM"; not after `opens`: the next day ("00:00": midnight).'
    )

    def span(self, day: date) -> tuple[datetime, datetime]:
        """The naive local instants it covers when it opens on `day`."""
        start = datetime.combine(day, time.fromisoformat(self.opens))
        end = datetime.combine(day, time.fromisoformat(self.closes))
        if end <= start:
            end += timedelta(days=1)
        return start, end


class OpeningHours(BaseModel):
    """When the desk answers. A weekday left out is closed all day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: str = Field(max_length=64, description='An IANA time zone: "Europe/Madrid".')
    weekly: dict[Weekday, list[Interval]] = Field(
        description='Per weekday ("mon" … "sun"), up to 4 intervals each.'
    )
    closed_dates: list[date] = Field(
        default_factory=list, max_length=366, description="Local dates with the desk closed."
    )
    offline_message: OfflineMessage | None = Field(
        default=None,
        description="What a customer reads when the desk is closed or nobody answered "
        "(the page's own words otherwise). At most 500 characters.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Against the list, not by loading it: "Europe" names a folder of the database.
        if value not in known_zones():
            raise ValueError("an IANA time zone, such as Europe/Madrid")
        return value

    @model_validator(mode="after")
    def _bounded(self) -> OpeningHours:
        if any(len(intervals) > 4 for intervals in self.weekly.values()):
            raise ValueError("at most 4 intervals a day")
        return self

    def is_open(self, at: datetime) -> bool:
        """Whether `at` (an aware instant) falls in an interval of a day not closed."""
        local = at.astimezone(ZoneInfo(self.time_zone)).replace(tzinfo=None)
        closed = set(self.closed_dates)
        for day in (local.date() - timedelta(days=1), local.date()):
            if day in closed:
                continue
            for interval in self.weekly.get(WEEK[day.weekday()], []):
                start, end = interval.span(day)
                if start <= local < end:
                    return True
        return False


def hours_of(stored: dict[str, Any] | None) -> OpeningHours | None:
    """Hours as stored (validated when they were set); None: the desk is always open."""
    return None if stored is None else OpeningHours.model_validate(stored)


def stored(hours: OpeningHours | None) -> dict[str, Any] | None:
    return None if hours is None else hours.model_dump(mode="json", exclude_defaults=True)


async def for_call(
    session: AsyncSession, *, partner_id: int, category_id: int | None
) -> OpeningHours | None:
    """The hours a call of that category (or of none) is answered in: the category's own, or
    the partner's; None when neither has any (always open)."""
    found = await repository.effective(session, partner_id=partner_id, category_id=category_id)
    return hours_of(found)


async def partner_default(session: AsyncSession, *, partner_id: int) -> OpeningHours | None:
    return hours_of(await repository.partner_hours(session, partner_id=partner_id))


async def set_partner_default(
    session: AsyncSession, *, partner_id: int, hours: OpeningHours | None
) -> None:
    await repository.set_partner_hours(session, partner_id=partner_id, hours=stored(hours))


async def set_for_category(
    session: AsyncSession, *, partner_id: int, code: str, hours: OpeningHours | None
) -> str:
    """The category's own hours (None: it follows the partner's again); its code."""
    category = await directory.require_category(session, partner_id=partner_id, code=code)
    category.hours = stored(hours)
    return category.code
