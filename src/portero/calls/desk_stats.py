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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import hours
from portero.calls import stats_repository as repository
from portero.calls.models import CallStatus, Presence
from portero.calls.stats_schemas import (
    AgentFigures,
    CallInProgress,
    CategoryFigures,
    DeskStatsOut,
    SatisfactionFigures,
)


@dataclass
class _Day:
    """What the day's calls of one category add up to."""

    missed: int = 0
    answered: int = 0
    waits: list[float] = field(default_factory=list)
    talks: list[float] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    def add(self, call: Any) -> None:
        if call.status == CallStatus.missed:
            self.missed += 1
        if call.answered_at is not None:
            self.answered += 1
            self.waits.append((call.answered_at - call.created_at).total_seconds())
            if call.status == CallStatus.completed and call.ended_at is not None:
                self.talks.append((call.ended_at - call.answered_at).total_seconds())
        if call.satisfaction_score is not None:
            self.scores.append(int(call.satisfaction_score))


def _mean(values: list[float] | list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def day_start(now: datetime, time_zone: str) -> datetime:
    """Midnight of `now`'s day in `time_zone`, as an instant."""
    local = now.astimezone(ZoneInfo(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


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
    for call in await repository.since(session, partner_id=partner_id, start=start):
        days[_bucket(call.target_category_id, known)].add(call)
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
        average_wait_seconds=_mean(day.waits),
        average_talk_seconds=_mean(day.talks),
        satisfaction_today=SatisfactionFigures(average=_mean(day.scores), ratings=len(day.scores)),
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
