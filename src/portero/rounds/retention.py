"""The retention purge: rounds, their wallet calls, the ledger entries of their money and the
webhook events older than a number of days are removed, a batch per transaction, so that the
purge never holds a long lock and can be stopped and run again at any point.

A round still open or failed (waiting for an operator) is kept whatever its age; balances,
transfers (a transfer partner's own movements) and partners' configuration are never purged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery import repository as deliveries
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.errors import InvalidField
from portero.kit.ids import lowest_id_at
from portero.rounds import repository
from portero.wallet import ledger
from portero.webhooks import repository as webhooks


@dataclass
class Purged:
    rounds: int = 0
    entries: int = 0
    events: int = 0
    deliveries: int = 0


@dataclass(frozen=True, slots=True)
class Backlog:
    """What a purge would remove (what its progress bar counts)."""

    before: datetime
    rounds: int
    entries: int
    events: int

    @property
    def total(self) -> int:
        return self.rounds + self.entries + self.events


def cutoff(older_than_days: int, retention_days: int, now: datetime | None = None) -> datetime:
    if older_than_days < retention_days:
        raise InvalidField(
            "older_than_days",
            "invalid",
            f"Rounds are kept at least {retention_days} days (PORTERO_ROUND_RETENTION_DAYS); "
            f"--older-than-days {older_than_days} would remove younger ones.",
        )
    return (now or utcnow()) - timedelta(days=older_than_days)


async def backlog(sessions: async_sessionmaker[AsyncSession], before: datetime) -> Backlog:
    async with session_scope(sessions) as session:
        return Backlog(
            before,
            await repository.count_purgeable(session, before=before),
            await ledger.count_round_entries(session, before=before),
            await webhooks.count_purgeable_events(session, before=before),
        )


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    before: datetime,
    *,
    batch: int = 1000,
    progress: Callable[[int], None] = lambda _done: None,
) -> Purged:
    """Remove what is older than `before`, `batch` rows a transaction; `progress` hears how
    many rows each batch removed."""
    purged = Purged()
    while True:
        async with session_scope(sessions) as session:
            ids = await repository.purgeable(session, before=before, limit=batch)
            if not ids:
                break
            await deliveries.delete_of_subjects(session, ids)
            purged.rounds += await repository.delete_rounds(session, ids)
        progress(len(ids))
    while True:
        async with session_scope(sessions) as session:
            removed = await ledger.purge_round_entries(session, before=before, limit=batch)
        purged.entries += removed
        progress(removed)
        if removed < batch:
            break
    await _purge_events(sessions, before, batch, purged, progress)
    return purged


async def _purge_events(
    sessions: async_sessionmaker[AsyncSession],
    before: datetime,
    batch: int,
    purged: Purged,
    progress: Callable[[int], None],
) -> None:
    below = lowest_id_at("dlv", before)
    while True:
        async with session_scope(sessions) as session:
            ids = await webhooks.purgeable_deliveries(session, below_id=below, limit=batch)
            if ids:
                await webhooks.delete_deliveries(session, ids)
        purged.deliveries += len(ids)
        if len(ids) < batch:
            break
    while True:
        async with session_scope(sessions) as session:
            events = await webhooks.purgeable_events(session, before=before, limit=batch)
            if events:
                await webhooks.delete_events(session, events)
        purged.events += len(events)
        progress(len(events))
        if len(events) < batch:
            break
