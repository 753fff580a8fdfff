"""The desk's live figures as Prometheus gauges, for every partner: read by each process's
call clock every `GAUGE_EVERY_SECONDS` (three statements), so that every process reports the
same figures (the maximum over the live processes is what Prometheus reads).

`category` is the category's code, empty for calls of no category. A figure that falls to
nothing is set to 0 rather than left at its last value.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import stats_repository as repository
from portero.kit import metrics
from portero.kit.db_reads import outside_transaction

GAUGE_EVERY_SECONDS = 15.0
Labels = tuple[str, ...]
# The label sets each gauge was given on the last update (gauges are keyed by identity).
_set_before: dict[Gauge, set[Labels]] = {}


async def refresh(sessions: async_sessionmaker[AsyncSession], *, now: datetime) -> None:
    async with outside_transaction(sessions) as session:
        queued = await repository.queued(session, partner_id=None)
        connected = await repository.in_progress(session, partner_id=None)
        agents = await repository.agents(session, partner_id=None)
    waiting: dict[Labels, float] = {}
    longest: dict[Labels, float] = {}
    for row in queued:
        labels = (str(row.partner_id), row.category_code or "")
        waiting[labels] = waiting.get(labels, 0) + row.calls
        longest[labels] = max(longest.get(labels, 0), (now - row.oldest).total_seconds())
    talking: dict[Labels, float] = {}
    for row in connected:
        labels = (str(row.partner_id), row.category_code or "")
        talking[labels] = talking.get(labels, 0) + 1
    present: dict[Labels, float] = {}
    for _agent, partner_id, presence in {(r.id, r.partner_id, r.presence) for r in agents}:
        labels = (str(partner_id), presence)
        present[labels] = present.get(labels, 0) + 1
    _publish(metrics.DESK_WAITING, waiting)
    _publish(metrics.DESK_LONGEST_WAIT, longest)
    _publish(metrics.DESK_IN_PROGRESS, talking)
    _publish(metrics.DESK_AGENTS, present)


def _publish(gauge: Gauge, values: dict[Labels, float]) -> None:
    for labels in _set_before.get(gauge, set()) - set(values):
        gauge.labels(*labels).set(0)
    for labels, value in values.items():
        gauge.labels(*labels).set(max(0.0, value))
    _set_before[gauge] = set(values)
