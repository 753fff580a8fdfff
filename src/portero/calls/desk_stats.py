"""The desk's figures, per category, as a supervisor's wallboard, `GET /v1/desk/stats` and the
metrics show them: read from the database each time, so that every process shows the same.

Live: customers waiting (or ringing) and the longest wait, the agents by presence with their
calls in progress, the calls connected and for how long. The desk's day (from midnight in
the time zone of the partner's opening hours, UTC without hours): calls missed and answered,
the average wait of those answered, the average talk of those completed, and the customers'
satisfaction. Calls of no category (for any agent, or for one agent) are a bucket of their
own, `category: null`, served by every agent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import hours
from portero.calls import stats_repository as repository
from portero.calls.models import Presence
from portero.calls.stats_schemas import (
    AgentFigures,
    CallInProgress,
    CategoryFigures,
    DeskStatsOut,
    SatisfactionFigures,
)


@dataclass
class _Day:
    """What the day's calls of one category add up to (sums, so that rows merge)."""

    missed: int = 0
    answered: int = 0
    wait_total: float = 0.0
    talks: int = 0
    talk_total: float = 0.0
    ratings: int = 0
    score_total: int = 0

    def add(self, row: Any) -> None:
        self.missed += int(row.missed)
        self.answered += int(row.answered)
        self.wait_total += float(row.wait_total or 0)
        self.talks += int(row.talks)
        self.talk_total += float(row.talk_total or 0)
        self.ratings += int(row.ratings)
        self.score_total += int(row.score_total or 0)


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None


def day_start(now: datetime, time_zone: str) -> datetime:
    """Midnight of `now`'s day in `time_zone`, as an instant (in UTC)."""
    local = now.astimezone(ZoneInfo(time_zone))
    # fold=0: in an hour repeated after midnight, midnight is the first one.
    return local.replace(hour=0, minute=0, second=0, microsecond=0, fold=0).astimezone(UTC)


async def for_partner(session: AsyncSession, *, partner_id: int, now: datetime) -> DeskStatsOut:
    opening_hours = await hours.partner_default(session, partner_id=partner_id)
    zone = opening_hours.time_zone if opening_hours else "UTC"
    start = day_start(now, zone)
    categories = await repository.categories(session, partner_id=partner_id)
    known = {row.id for row in categories}
    queued = await repository.queued(session, partner_id=partner_id)
    connected = await repository.in_progress(session, partner_id=partner_id)
    agents = await repository.agents(session, partner_id=partner_id)
    days: dict[int | None, _Day] = defaultdict(_Day)
    for row in await repository.day(session, partner_id=partner_id, start=start):
        days[_bucket(row.target_category_id, known)].add(row)
    buckets: list[tuple[int | None, str | None, str | None]] = [
        (row.id, row.code, row.name) for row in categories
    ]
    buckets.append((None, None, None))
    figures = [
        _figures(
            bucket, code, name, now=now, known=known, queued=queued, connected=connected,
            agents=agents, day=days[bucket],
        )
        for bucket, code, name in buckets
    ]  # fmt: skip
    return DeskStatsOut(as_of=now, day_started_at=start, time_zone=zone, categories=figures)


def _bucket(category_id: int | None, known: set[int]) -> int | None:
    return category_id if category_id in known else None


def _figures(
    bucket: int | None,
    code: str | None,
    name: str | None,
    *,
    now: datetime,
    known: set[int],
    queued: list[Any],
    connected: list[Any],
    agents: list[Any],
    day: _Day,
) -> CategoryFigures:
    waiting = [row for row in queued if _bucket(row.target_category_id, known) == bucket]
    oldest = min((row.oldest for row in waiting), default=None)
    serving = _agents_of(agents, bucket)
    presence = {state.value: 0 for state in Presence}
    for agent in serving:
        presence[agent.presence] += 1
    return CategoryFigures(
        category=code,
        name=name,
        waiting=sum(int(row.calls) for row in waiting),
        longest_wait_seconds=None if oldest is None else _seconds(now - oldest),
        presence=presence,
        agents=serving,
        in_progress=_talking(connected, bucket, known, now),
        missed_today=day.missed,
        answered_today=day.answered,
        average_wait_seconds=_mean(day.wait_total, day.answered),
        average_talk_seconds=_mean(day.talk_total, day.talks),
        satisfaction_today=SatisfactionFigures(
            average=_mean(day.score_total, day.ratings), ratings=day.ratings
        ),
    )


def _talking(
    connected: list[Any], bucket: int | None, known: set[int], now: datetime
) -> list[CallInProgress]:
    return [
        CallInProgress(
            call_id=row.id,
            agent=row.agent_code,
            agent_name=row.agent_name,
            answered_at=row.answered_at,
            duration_seconds=_seconds(now - row.answered_at),
        )
        for row in connected
        if _bucket(row.target_category_id, known) == bucket
    ]


def _agents_of(rows: Iterable[Any], bucket: int | None) -> list[AgentFigures]:
    """The agents serving the category (every agent, for calls of no category), once each."""
    seen: dict[int, AgentFigures] = {}
    for row in rows:
        if (bucket is None or row.category_id == bucket) and row.id not in seen:
            seen[row.id] = AgentFigures(
                code=row.code, name=row.name, presence=Presence(row.presence),
                calls=int(row.active_calls), capacity=int(row.capacity),
            )  # fmt: skip
    return list(seen.values())


def _seconds(span: timedelta) -> int:
    return max(0, round(span.total_seconds()))
