"""Responsible-gaming limits a partner passes with a game launch, and what they make of the
play session the launch opens.

The limits are stored with the launch (`launch.limits`, JSON) and read with the play session
by the query that already reads the launch (`session_repository.session_by_token_hash`): the
round path learns them with no query of its own. What they do:

- `session_time_limit_seconds`: the play session's expiry is capped when it starts (opening a
  link), so the ordinary expiry check ends it; no work per round.
- `reality_check_seconds`: the session's next check is due that long after it starts, and again
  that long after each acknowledgement (`launches/reality.py`); a round is refused while one
  is due (`rounds/limits.py`).
- `max_stake`, `loss_limit`: minor units, checked by the round path (`rounds/limits.py`).
- `autoplay`: false takes autoplay off the slot page (the slot game's `autoplay`); kept only
  when false, so a launch that leaves it offered keeps a session without limits. It bounds no
  round: a session whose only setting it is plays and reports as one without limits
  (`SessionLimits.bound_rounds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from portero.launches.errors import (
    SessionExpired,
    SessionLossLimitReached,
    SessionTerminated,
    SessionTimeLimitReached,
)

MIN_SECONDS = 60
MAX_SECONDS = 24 * 3600
MAX_AMOUNT = 10**15  # minor units: far beyond any stake, well within a BIGINT

# Why a play session was ended before its time (play_session.end_reason).
LOSS_LIMIT = "loss_limit"
TERMINATED = "terminated"


class ResponsibleGaming(BaseModel):
    """Limits for the game session a launch opens (roulette and slot only); each optional."""

    model_config = ConfigDict(extra="forbid", title="ResponsibleGaming")

    session_time_limit_seconds: StrictInt | None = Field(
        default=None,
        ge=MIN_SECONDS,
        le=MAX_SECONDS,
        description="The session ends this many seconds after the link is opened.",
    )
    reality_check_seconds: StrictInt | None = Field(
        default=None,
        ge=MIN_SECONDS,
        le=MAX_SECONDS,
        description="Every this many seconds of play the page stops for a reality check "
        "(time played, net result) that the player acknowledges before the next round.",
    )
    max_stake: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_AMOUNT,
        description="The largest stake of one round, in minor units of the launch's currency.",
    )
    loss_limit: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_AMOUNT,
        description="The largest net loss (stakes minus returns) of the session, in minor "
        "units: a round whose stake could pass it is refused, and the session ends once the "
        "loss reaches it.",
    )
    autoplay: StrictBool = Field(
        default=True,
        description="false: the slot page offers no autoplay, every spin is started by the "
        "player. Default: offered (a count of spins with stop conditions).",
    )

    def stored(self) -> dict[str, int] | None:
        """As kept with the launch: the limits given, autoplay only when it is off; None when
        nothing is set."""
        given = self.model_dump(exclude_none=True, exclude_defaults=True)
        return given or None


class ResponsibleGamingLimits(BaseModel):
    """A launch's limits as the APIs show them (null: not set)."""

    session_time_limit_seconds: int | None
    reality_check_seconds: int | None
    max_stake: int | None = Field(description="Minor units.")
    loss_limit: int | None = Field(description="Minor units.")
    autoplay: bool = Field(description="Whether the slot page offers autoplay.")


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """The limits of a play session, as the round path and the pages read them."""

    session_time_limit_seconds: int | None = None
    reality_check_seconds: int | None = None
    max_stake: int | None = None
    loss_limit: int | None = None
    autoplay: bool = True

    @classmethod
    def stored(cls, raw: Mapping[str, Any] | None) -> SessionLimits | None:
        if not raw:
            return None
        given = {name: raw[name] for name in cls.__dataclass_fields__ if raw.get(name) is not None}
        return cls(**given)

    @property
    def bound_rounds(self) -> bool:
        """Whether a limit applies to the rounds themselves; autoplay is the page's alone, so
        a session whose only setting is autoplay off plays on the rounds' fast path."""
        return any(
            value is not None
            for value in (
                self.session_time_limit_seconds,
                self.reality_check_seconds,
                self.max_stake,
                self.loss_limit,
            )
        )

    def wire(self) -> ResponsibleGamingLimits:
        return ResponsibleGamingLimits.model_construct(
            session_time_limit_seconds=self.session_time_limit_seconds,
            reality_check_seconds=self.reality_check_seconds,
            max_stake=self.max_stake,
            loss_limit=self.loss_limit,
            autoplay=self.autoplay,
        )


def wire_limits(raw: Mapping[str, Any] | None) -> ResponsibleGamingLimits | None:
    """A launch's stored limits as the native API shows them."""
    limits = SessionLimits.stored(raw)
    return limits.wire() if limits else None


@dataclass(frozen=True, slots=True)
class SessionTimes:
    """When a new play session expires and when its first reality check is due."""

    expires_at: datetime
    idle_expires_at: datetime
    reality_check_due_at: datetime | None


def session_times(
    raw: Mapping[str, Any] | None, *, now: datetime, expires_at: datetime, idle_seconds: int
) -> SessionTimes:
    """The times of a play session starting `now` (the SQLite store's opening; pg_store.py
    computes the same in its statement)."""
    limits = SessionLimits.stored(raw)
    due = None
    if limits and limits.session_time_limit_seconds:
        expires_at = min(expires_at, now + timedelta(seconds=limits.session_time_limit_seconds))
    if limits and limits.reality_check_seconds:
        due = now + timedelta(seconds=limits.reality_check_seconds)
    idle = min(now + timedelta(seconds=idle_seconds), expires_at)
    return SessionTimes(expires_at=expires_at, idle_expires_at=idle, reality_check_due_at=due)


def why_ended(
    *,
    limits: SessionLimits | None,
    started_at: datetime,
    idle_expires_at: datetime,
    ended_at: datetime | None,
    end_reason: str | None,
    now: datetime,
) -> SessionExpired:
    """The error for a play session that is over: its limit's, when a limit ended it (an
    idle timeout or a departure before the time limit is an ordinary end)."""
    if end_reason == LOSS_LIMIT:
        return SessionLossLimitReached()
    if end_reason == TERMINATED:
        return SessionTerminated()
    if limits and limits.session_time_limit_seconds:
        limit_end = started_at + timedelta(seconds=limits.session_time_limit_seconds)
        if (ended_at or now) >= limit_end and idle_expires_at >= limit_end:
            return SessionTimeLimitReached()
    return SessionExpired()
