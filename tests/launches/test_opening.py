"""Opening links and play sessions, at the service level and under real concurrency."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.kit.pg_pool import FairPool
from portero.launches import opening, service
from portero.launches.errors import (
    IdempotencyKeyReused,
    LaunchAlreadyUsed,
    LaunchExpired,
    LaunchNotFound,
    LaunchRevoked,
    SessionExpired,
    SessionInvalid,
)
from portero.launches.models import Launch, LaunchStatus, PlaySession
from portero.launches.schemas import LaunchCreate
from portero.launches.store import LaunchStore
from portero.launches.sweeper import sweep_once
from portero.launches.unit_of_work import launch_store_scope
from portero.partners.schemas import PartnerSnapshot
from portero.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.db import inspecting
from tests.support.factories import launch_body, make_partner, snapshot

KEY = TEST_SECRET.encode()


@pytest.fixture(params=["server-store", "session-store"])
def stores(runtime: Runtime, request: pytest.FixtureRequest) -> Stores:
    """Both implementations of the hot-path store: the one the server uses on this database
    (asyncpg on PostgreSQL) and the SQLAlchemy one (which is the same on SQLite)."""
    pg_pool = runtime.pg_pool if request.param == "server-store" else None
    return Stores(runtime.sessions, pg_pool)


@dataclass
class Stores:
    sessions: async_sessionmaker[AsyncSession]
    pg_pool: FairPool | None

    def scope(self) -> AbstractAsyncContextManager[LaunchStore]:
        return launch_store_scope(self.sessions, self.pg_pool, wait_seconds=5)


async def issue(
    stores: Stores, *, session_idle: int = 1800, **body: object
) -> service.IssuedLaunch:
    sessions = stores.sessions
    partner = await make_partner(sessions, session_idle_seconds=session_idle)
    snap = await snapshot(sessions, partner.id)
    async with stores.scope() as store:
        return await service.create_launch(
            store,
            partner=snap,
            request=LaunchCreate.model_validate(launch_body(**body)),
            signing_key=KEY,
        )


async def open_(stores: Stores, token: str) -> opening.OpenedLaunch:
    async with stores.scope() as store:
        return await opening.open_link(store, token=token, max_lifetime_seconds=3600)


async def shift(
    sessions: async_sessionmaker[AsyncSession], table: type, row_id: str, **values: object
) -> None:
    async with session_scope(sessions) as session:
        await session.execute(update(table).where(table.id == row_id).values(**values))


async def play_session_of(
    sessions: async_sessionmaker[AsyncSession], launch_id: str
) -> PlaySession:
    async with session_scope(sessions) as session:
        query = select(PlaySession).where(PlaySession.launch_id == launch_id)
        return (await session.execute(query)).scalar_one()


async def resume(sessions: async_sessionmaker[AsyncSession], token: str) -> opening.PlayContext:
    async with session_scope(sessions) as session:
        return await opening.resume(session, token=token)


class TestIssuing:
    """Idempotent issuing, through both store implementations."""

    async def _issue(
        self,
        stores: Stores,
        partner: PartnerSnapshot,
        body: dict[str, object],
        key: str,
        window: timedelta = timedelta(hours=24),
    ) -> service.IssuedLaunch:
        async with stores.scope() as store:
            return await service.create_launch(
                store,
                partner=partner,
                request=LaunchCreate.model_validate(body),
                signing_key=KEY,
                request_key=key,
                idempotency_window=window,
            )

    async def test_replay_same_link_refuse_other_body_reuse_after_window(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        partner = await snapshot(sessions, (await make_partner(sessions)).id)
        body = launch_body()
        first = await self._issue(stores, partner, body, "k-1")
        again = await self._issue(stores, partner, body, "k-1")
        assert (again.launch.id, again.token, again.replayed) == (
            first.launch.id,
            first.token,
            True,
        )
        other = body | {"player": body["player"] | {"nickname": "other"}}
        with pytest.raises(IdempotencyKeyReused):
            await self._issue(stores, partner, other, "k-1")
        later = await self._issue(stores, partner, other, "k-1", window=timedelta(0))
        assert later.launch.id != first.launch.id
        assert later.replayed is False
        assert later.launch.player.nickname == "other"


class TestOpening:
    async def test_first_open_starts_a_session_and_points_at_the_product_page(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores)
        opened = await open_(stores, issued.token)
        assert opened.page_path == f"/play/{issued.launch.id}"
        assert opened.session_token.startswith("pss_")
        async with inspecting(sessions) as session:
            context = await opening.resume(session, token=opened.session_token)
            launch = await session.get(Launch, issued.launch.id)
            stored = (await session.execute(select(PlaySession))).scalars().all()
        assert context.launch_id == issued.launch.id
        assert context.language == "es"
        assert launch is not None
        assert launch.status == LaunchStatus.opened
        assert all(opened.session_token.encode() != s.token_hash for s in stored)

    async def test_second_open_is_already_used(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores)
        await open_(stores, issued.token)
        with pytest.raises(LaunchAlreadyUsed) as raised:
            await open_(stores, issued.token)
        assert raised.value.context is not None
        assert raised.value.context.language == "es"

    async def test_expired_link(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores)
        await shift(sessions, Launch, issued.launch.id, expires_at=utcnow() - timedelta(seconds=1))
        with pytest.raises(LaunchExpired):
            await open_(stores, issued.token)

    async def test_revoked_link(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores)
        async with session_scope(sessions) as session:
            await service.revoke_launch(
                session, partner_id=issued.launch.partner_id, launch_id=issued.launch.id
            )
        with pytest.raises(LaunchRevoked):
            await open_(stores, issued.token)

    @pytest.mark.parametrize("token", ["", "x", "dd5bbff0-f3bf-4644-a112-2b9057eb6c1b", "é" * 300])
    async def test_unknown_tokens(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores, token: str
    ) -> None:
        with pytest.raises(LaunchNotFound):
            await open_(stores, token)


class TestPlaySession:
    async def test_idle_timeout(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores, session_idle=60)
        opened = await open_(stores, issued.token)
        row = await play_session_of(sessions, issued.launch.id)
        assert (row.idle_expires_at - row.created_at).total_seconds() == pytest.approx(60)
        await shift(sessions, PlaySession, row.id, idle_expires_at=utcnow())
        with pytest.raises(SessionExpired):
            await resume(sessions, opened.session_token)

    async def test_activity_pushes_the_idle_timeout_back(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores, session_idle=600)
        opened = await open_(stores, issued.token)
        row = await play_session_of(sessions, issued.launch.id)
        earlier = utcnow() - timedelta(seconds=300)
        await shift(
            sessions,
            PlaySession,
            row.id,
            last_seen_at=earlier,
            idle_expires_at=earlier + timedelta(seconds=600),
        )
        async with session_scope(sessions) as session:
            context = await opening.resume(session, token=opened.session_token)
        assert context.idle_expires_at > utcnow() + timedelta(seconds=590)

    async def test_maximum_lifetime(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores)
        opened = await open_(stores, issued.token)
        row = await play_session_of(sessions, issued.launch.id)
        await shift(sessions, PlaySession, row.id, expires_at=utcnow())
        with pytest.raises(SessionExpired):
            await resume(sessions, opened.session_token)

    async def test_end_ends_session_and_launch(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        issued = await issue(stores)
        opened = await open_(stores, issued.token)
        async with session_scope(sessions) as session:
            await opening.end(session, token=opened.session_token)
        async with inspecting(sessions) as session:
            launch = await session.get(Launch, issued.launch.id)
            assert launch is not None
            assert launch.status == LaunchStatus.ended
            with pytest.raises(SessionExpired):
                await opening.resume(session, token=opened.session_token)

    async def test_garbage_bearer(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        for token in (None, "", "pss_nope"):
            with pytest.raises(SessionInvalid):
                async with session_scope(sessions) as session:
                    await opening.resume(session, token=token)


class TestSweeper:
    async def test_marks_expiries_and_ends_timed_out_sessions_once(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores
    ) -> None:
        stale = await issue(stores)
        await shift(sessions, Launch, stale.launch.id, expires_at=utcnow() - timedelta(seconds=1))
        played = await issue(stores)
        await open_(stores, played.token)
        async with session_scope(sessions) as session:
            await session.execute(
                update(PlaySession)
                .where(PlaySession.launch_id == played.launch.id)
                .values(idle_expires_at=utcnow())
            )
        counter = metrics.LAUNCHES_EXPIRED.labels(str(stale.launch.partner_id), "roulette")
        before = counter._value.get()
        async with session_scope(sessions) as session:
            expired, ended = await sweep_once(session)
        assert expired >= 1
        assert ended >= 1
        assert counter._value.get() == before + 1
        async with inspecting(sessions) as session:
            assert (await session.get(Launch, stale.launch.id)).status == "expired"  # type: ignore[union-attr]
            assert (await session.get(Launch, played.launch.id)).status == "ended"  # type: ignore[union-attr]
        async with session_scope(sessions) as session:
            await sweep_once(session)
        assert counter._value.get() == before + 1  # counted once, however often it runs


class TestConcurrentOpening:
    async def test_exactly_one_of_many_simultaneous_opens_wins(
        self, sessions: async_sessionmaker[AsyncSession], stores: Stores, settings: Settings
    ) -> None:
        """Eight independent connection pools (as eight server processes would have) race to
        open one link, through the store the server uses on this database."""
        issued = await issue(stores)
        engines = [create_engine(settings, pool_size=1) for _ in range(8)]
        pools = [
            await FairPool.open(settings.model_copy(update={"db_pool_size": 1}))
            if stores.pg_pool is not None
            else None
            for _ in engines
        ]
        racers = [Stores(create_sessionmaker(e), p) for e, p in zip(engines, pools, strict=True)]
        try:
            for racer_stores in racers:  # connect first, so that the race is about the UPDATE
                async with racer_stores.scope() as store:
                    await store.link_state(b"warm-up")
            start_line = asyncio.Barrier(len(racers))

            async def racer(racer_stores: Stores) -> str:
                await start_line.wait()
                try:
                    await open_(racer_stores, issued.token)
                except LaunchAlreadyUsed:
                    return "used"
                return "won"

            tasks = [asyncio.create_task(racer(r)) for r in racers]
            results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        finally:
            for engine in engines:
                await engine.dispose()
            for pool in pools:
                if pool is not None:
                    await pool.close()
        assert sorted(results) == ["used"] * 7 + ["won"]
        async with session_scope(sessions) as session:
            count = len(
                (
                    await session.execute(
                        select(PlaySession).where(PlaySession.launch_id == issued.launch.id)
                    )
                ).all()
            )
        assert count == 1
