"""The desk's figures as `GET /v1/desk/stats` answers them and the wallboard shows them
(calls/desk_stats.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from portero.calls.models import Presence


class AgentFigures(BaseModel):
    code: str
    name: str
    presence: Presence
    calls: int = Field(description="Calls in progress on the agent now.")
    capacity: int = Field(description="How many calls the agent takes at once.")


class CallInProgress(BaseModel):
    call_id: str
    agent: str | None = Field(description="The code of the agent on the call.")
    agent_name: str | None
    answered_at: datetime
    duration_seconds: int = Field(description="Since the answer, as of `as_of`.")


class SatisfactionFigures(BaseModel):
    average: float | None = Field(description="Of the day's ratings, 1-5; null without any.")
    ratings: int


class CategoryFigures(BaseModel):
    category: str | None = Field(
        description="The category's code; null: calls of no category (for any agent, or for "
        "one agent), which every agent serves."
    )
    name: str | None
    waiting: int = Field(description="Customers waiting or ringing now.")
    longest_wait_seconds: int | None = Field(description="Of those waiting; null: nobody waits.")
    presence: dict[str, int] = Field(
        description="How many of the category's agents are available, busy and offline."
    )
    agents: list[AgentFigures] = Field(description="The agents serving the category.")
    in_progress: list[CallInProgress] = Field(description="Calls connected now, oldest first.")
    missed_today: int = Field(description="Calls missed since the desk's day began.")
    answered_today: int
    average_wait_seconds: float | None = Field(
        description="From the request to the answer, of the day's answered calls."
    )
    average_talk_seconds: float | None = Field(
        description="From the answer to the end, of the day's completed calls."
    )
    satisfaction_today: SatisfactionFigures


class DeskStatsOut(BaseModel):
    object: Literal["desk_stats"] = "desk_stats"
    as_of: datetime
    day_started_at: datetime = Field(
        description="Midnight in `time_zone`: the start of the day the `_today` figures count."
    )
    time_zone: str = Field(description="That of the partner's opening hours; UTC without.")
    categories: list[CategoryFigures] = Field(
        description="Each category by name, then the calls of no category."
    )
