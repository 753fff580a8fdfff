"""Opening hours as a desk sets them: weekly intervals on a time zone's wall clock, shifts past
midnight, closed dates, summer time, and what the API refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from portero.calls.hours import OpeningHours, stored

MADRID_WEEKDAYS = {
    "time_zone": "Europe/Madrid",
    "weekly": {day: [{"opens": "09:00", "closes": "18:00"}] for day in ("mon", "tue", "wed")},
}


def hours(**changes: Any) -> OpeningHours:
    return OpeningHours.model_validate(MADRID_WEEKDAYS | changes)


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        # Monday 7 December 2026; Madrid is UTC+1 in winter.
        (datetime(2026, 12, 7, 7, 59, tzinfo=UTC), False),  # 08:59 local
        (datetime(2026, 12, 7, 8, 0, tzinfo=UTC), True),  # 09:00 local: opens
        (datetime(2026, 12, 7, 16, 59, tzinfo=UTC), True),  # 17:59 local
        (datetime(2026, 12, 7, 17, 0, tzinfo=UTC), False),  # 18:00 local: closed
        (datetime(2026, 12, 10, 10, 0, tzinfo=UTC), False),  # Thursday: no intervals
    ],
)
def test_weekly_intervals_are_on_the_time_zones_wall_clock(
    instant: datetime, is_open: bool
) -> None:
    assert hours().is_open(instant) is is_open


def test_summer_time_moves_the_instant_not_the_wall_clock() -> None:
    # Monday 29 March 2027, the day after the change: Madrid is UTC+2, 09:00 is 07:00 UTC.
    assert hours().is_open(datetime(2027, 3, 29, 7, 0, tzinfo=UTC))
    assert not hours().is_open(datetime(2027, 3, 29, 16, 0, tzinfo=UTC))  # 18:00 local


def test_a_shift_past_midnight_runs_into_the_next_day_even_one_without_intervals() -> None:
    night = hours(weekly={"fri": [{"opens": "22:00", "closes": "02:00"}]})
    friday_late = datetime(2026, 12, 11, 22, 30, tzinfo=UTC)  # 23:30 local
    saturday_early = datetime(2026, 12, 12, 0, 30, tzinfo=UTC)  # 01:30 local
    saturday_after = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)  # 02:00 local
    assert night.is_open(friday_late)
    assert night.is_open(saturday_early)
    assert not night.is_open(saturday_after)


def test_midnight_as_closing_time_is_the_end_of_the_day() -> None:
    all_day = hours(weekly={"sun": [{"opens": "00:00", "closes": "00:00"}]})
    assert all_day.is_open(datetime(2026, 12, 12, 23, 0, tzinfo=UTC))  # Sunday 00:00 local
    assert all_day.is_open(datetime(2026, 12, 13, 22, 59, tzinfo=UTC))  # Sunday 23:59 local
    assert not all_day.is_open(datetime(2026, 12, 13, 23, 0, tzinfo=UTC))  # Monday


def test_a_closed_date_closes_the_shifts_that_open_on_it() -> None:
    holiday = hours(closed_dates=["2026-12-08"])  # a Tuesday
    assert not holiday.is_open(datetime(2026, 12, 8, 10, 0, tzinfo=UTC))
    assert holiday.is_open(datetime(2026, 12, 9, 10, 0, tzinfo=UTC))
    night = hours(
        weekly={"mon": [{"opens": "22:00", "closes": "02:00"}]}, closed_dates=["2026-12-08"]
    )
    # Monday's shift runs into the closed Tuesday; a shift of the closed day would not open.
    assert night.is_open(datetime(2026, 12, 8, 0, 30, tzinfo=UTC))


def test_hours_as_stored_read_back_the_same() -> None:
    kept = hours(closed_dates=["2026-12-25"], offline_message="Volvemos el lunes.")
    assert OpeningHours.model_validate(stored(kept)) == kept
    assert stored(None) is None


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "Europe"}, "time_zone"),  # a folder of the time-zone database
        ({"weekly": {"mon": [{"opens": "9:00", "closes": "18:00"}]}}, "opens"),
        ({"weekly": {"mon": [{"opens": "09:00", "closes": "24:00"}]}}, "closes"),
        ({"weekly": {"lunes": []}}, "weekly"),
        ({"weekly": {"mon": [{"opens": "08:00", "closes": "09:00"}] * 5}}, "at most 4"),
        ({"offline_message": "x" * 501}, "offline_message"),
        ({"closed_dates": ["2026-02-30"]}, "closed_dates"),
        ({"holidays": []}, "holidays"),
    ],
)
def test_hours_that_do_not_hold_up_are_refused(changes: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError) as refused:
        hours(**changes)
    assert where in str(refused.value)
