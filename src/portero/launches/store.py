"""The queries of the two hot paths, issuing a link and opening it, behind one interface.

On PostgreSQL they run straight on an asyncpg connection (`pg_store.py`): the measured cost of
going through SQLAlchemy's session was as large as the database work itself. On SQLite, the
embedded default, they go through SQLAlchemy like everything else (`repository.py`). Every
test of these paths runs against both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import after_commit
from portero.launches import repository, session_repository
from portero.launches.events import launch_event
from portero.launches.limits import session_times
from portero.launches.records import LaunchRecord


@dataclass(frozen=True, slots=True)
class ClaimedLaunch:
    id: str
    partner_id: int
    product: str
    language: str
    session_idle_seconds: int


class OpenWithEvents(Exception):
    """The link belongs to a partner with webhooks: it is opened in a transaction that also
    records `launch.opened` (SessionLaunchStore), not by the single-statement store."""


@dataclass(frozen=True, slots=True)
class NewPlaySession:
    """The play session to start if the claim succeeds (its idle limit comes from the launch)."""

    id: str
    token_hash: bytes
    client_ip: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LinkState:
    """Why a link could not be opened, and what its error page needs."""

    id: str
    status: str
    product: str
    language: str
    return_url: str | None
    frame_ancestors: tuple[str, ...]


class LaunchStore(Protocol):
    async def insert_launch(
        self,
        *,
        player: Mapping[str, Any],
        launch: Mapping[str, Any],
        default_language: str,
        default_currency: str,
        may_refuse: bool = False,
    ) -> LaunchRecord | None:
        """Upsert the player and insert the launch; None if its request key is taken.
        `may_refuse`: the caller may still refuse the launch it returns, so both must be
        undoable (inside a transaction)."""

    async def by_request_key(
        self, *, partner_id: int, source: str, request_key: str
    ) -> LaunchRecord | None: ...

    async def release_request_key(self, launch_id: str) -> None: ...

    async def open_launch(
        self, *, token_hash: bytes, now: datetime, play_session: NewPlaySession
    ) -> ClaimedLaunch | None:
        """issued → opened and the play session started, atomically: of concurrent callers
        exactly one gets the launch; None for the others (and for unusable links)."""

    async def link_state(self, token_hash: bytes) -> LinkState | None: ...

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this unit of work has committed."""


class SessionLaunchStore:
    """The hot-path queries through a SQLAlchemy session (SQLite, and any caller that already
    holds a session). Opening a link records its `launch.opened` event in the same
    transaction (on PostgreSQL the asyncpg store hands such openings over to this one)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_launch(
        self,
        *,
        player: Mapping[str, Any],
        launch: Mapping[str, Any],
        default_language: str,
        default_currency: str,
        may_refuse: bool = False,
    ) -> LaunchRecord | None:
        del may_refuse  # the session is a transaction already
        record, _player_id = await repository.insert_launch(
            self.session,
            player=player,
            launch=launch,
            default_language=default_language,
            default_currency=default_currency,
        )
        return record

    async def by_request_key(
        self, *, partner_id: int, source: str, request_key: str
    ) -> LaunchRecord | None:
        return await repository.by_request_key(
            self.session, partner_id=partner_id, source=source, request_key=request_key
        )

    async def release_request_key(self, launch_id: str) -> None:
        await repository.release_request_key(self.session, launch_id)

    async def open_launch(
        self, *, token_hash: bytes, now: datetime, play_session: NewPlaySession
    ) -> ClaimedLaunch | None:
        row = await repository.claim_for_opening(self.session, token_hash=token_hash, now=now)
        if row is None:
            return None
        values = dict(row._mapping)
        first_open = values.pop("opened_at") == now  # COALESCE kept an earlier opening's time
        times = session_times(
            values.pop("limits"),
            now=now,
            expires_at=play_session.expires_at,
            idle_seconds=values["session_idle_seconds"],
        )
        claimed = ClaimedLaunch(**values)
        if first_open:
            await launch_event(
                self.session,
                partner_id=claimed.partner_id,
                launch_id=claimed.id,
                event_type="launch.opened",
            )
        await session_repository.insert_session(
            self.session,
            {
                "id": play_session.id,
                "launch_id": claimed.id,
                "token_hash": play_session.token_hash,
                "idle_seconds": claimed.session_idle_seconds,
                "client_ip": play_session.client_ip,
                "created_at": now,
                "last_seen_at": now,
                "idle_expires_at": times.idle_expires_at,
                "expires_at": times.expires_at,
                "ended_at": None,
                "reality_check_due_at": times.reality_check_due_at,
            },
        )
        return claimed

    async def link_state(self, token_hash: bytes) -> LinkState | None:
        row = await repository.link_context_by_token_hash(self.session, token_hash)
        if row is None:
            return None
        return LinkState(
            id=row.id,
            status=row.status,
            product=row.product,
            language=row.language,
            return_url=row.return_url or row.partner_return_url,
            frame_ancestors=tuple(row.frame_ancestors or ()),
        )

    def after_commit(self, action: Callable[[], None]) -> None:
        after_commit(self.session, action)
