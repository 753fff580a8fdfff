"""Retry schedules: One Wallet's default and the PORTERO_*_RETRY_SCHEDULE form."""

from __future__ import annotations

import pytest

from portero.retry import RetrySchedule
from portero.settings import Settings


def test_one_wallets_schedule_is_the_default() -> None:
    schedule = Settings().retry_schedule
    assert schedule.retries == 39
    assert schedule.delays[:5] == (60.0,) * 5
    assert schedule.delays[5:15] == (300.0,) * 10
    assert schedule.delays[15:] == (600.0,) * 24
    assert schedule.total_seconds == 5 * 60 + 10 * 300 + 24 * 600  # about 5 hours
    assert str(schedule) == "5x60,10x300,24x600"


def test_the_nth_failure_waits_its_delay_and_the_end_is_none() -> None:
    schedule = RetrySchedule.parse("2x1, 1x10")
    assert [schedule.delay_after(n) for n in (1, 2, 3, 4)] == [1.0, 1.0, 10.0, None]
    assert schedule.delay_after(0) is None
    assert RetrySchedule.parse("").delay_after(1) is None


def test_jitter_spreads_each_delay_within_its_bound() -> None:
    schedule = RetrySchedule.parse("1x100")
    delays = {schedule.delay_after(1, jitter=0.2) for _ in range(200)}
    assert all(d is not None and 80 <= d <= 120 for d in delays)
    assert len(delays) > 100


@pytest.mark.parametrize("text", ["5", "x60", "0x60", "5x0", "5x-1", "5y60", "5x60,,abc"])
def test_a_schedule_that_does_not_read_is_refused_at_start_up(text: str) -> None:
    with pytest.raises(ValueError, match=r"COUNTxSECONDS|positive"):
        RetrySchedule.parse(text)
    with pytest.raises(ValueError, match=r"wallet_retry_schedule"):
        Settings(wallet_retry_schedule=text)
