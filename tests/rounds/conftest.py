"""Seamless rounds against the sandbox wallet, a real One Wallet server on loopback, with the
delivery engine driven by hand (a `now` ahead of the clock instead of waiting)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery.models import Delivery, DeliveryAttempt
from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.secrets import hash_token
from portero.launches.models import Launch, PlaySession
from portero.rounds.models import GameRound
from portero.settings import Settings
from portero.wallet.sandbox import FaultPlan
from tests.conftest import make_settings
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
    set_wallet,
)
from tests.support.sandbox import RunningSandbox, sandbox_server

# Short enough for the tests, long enough for a loaded machine: a call waits 1 s, a claim is
# kept 1.5 s, and the schedule retries three times a minute apart.
TIMEOUT = 1.0
SCHEDULE = "3x60"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        wallet_timeout_seconds=TIMEOUT,
        delivery_lease_margin_seconds=0.5,
        wallet_retry_schedule=SCHEDULE,
        wallet_retry_jitter=0,
    )


@pytest.fixture
def faults() -> FaultPlan:
    """The sandbox's faults: none until a test sets the rate (and picks kinds, methods)."""
    return FaultPlan(rate=0.0, hang_seconds=TIMEOUT + 0.5, seed=7)


@pytest.fixture
def sandbox(faults: FaultPlan) -> Iterator[RunningSandbox]:
    with sandbox_server(faults=faults) as running:
        yield running


@pytest.fixture
async def partner(
    sessions: async_sessionmaker[AsyncSession], runtime: Runtime, sandbox: RunningSandbox
) -> PartnerFixture:
    made = await make_partner(sessions)
    await set_wallet(
        sessions,
        made,
        "seamless",
        secret_key=runtime.settings.signing_key,
        url=sandbox.base_url,
        auth_token=sandbox.auth_token,
    )
    return made


async def sit(
    client: httpx.AsyncClient, partner: PartnerFixture, product: str = "slot", **player: Any
) -> tuple[dict[str, str], str]:
    """An opened launch (its play session header) and the player's id, the table loaded (so
    that the wallet's `check` has run)."""
    body = launch_body(product)
    body["player"] |= player
    auth = await open_link(client, await create_launch(client, partner, body))
    path = "/play/api/slots/game" if product == "slot" else "/play/api/roulette/table"
    response = await client.get(path, headers=auth)
    assert response.status_code == 200, response.text
    return auth, body["player"]["id"]


async def run_engine(runtime: Runtime, *, after_seconds: float) -> int:
    """One pass of the delivery engine as if `after_seconds` had gone by; what it tried."""
    return await runtime.deliveries.run_once(now=utcnow() + timedelta(seconds=after_seconds))


async def drain(runtime: Runtime, *, passes: int = 10) -> None:
    """Pass after pass, each a schedule step later, until nothing is due (bounded)."""
    for step in range(1, passes + 1):
        if not await run_engine(runtime, after_seconds=61 * step):
            return
    raise AssertionError("the engine still had work after every pass")


async def round_of(sessions: async_sessionmaker[AsyncSession], round_id: str) -> GameRound:
    async with inspecting(sessions) as session:
        found = await session.get(GameRound, round_id)
    assert found is not None
    return found


async def rounds_of_launch(
    sessions: async_sessionmaker[AsyncSession], auth: dict[str, str]
) -> list[GameRound]:
    """Every round of the player behind a play session, oldest first."""
    async with inspecting(sessions) as session:
        token = auth["Authorization"].removeprefix("Bearer ")
        launch_id = (
            await session.execute(
                select(PlaySession.launch_id).where(PlaySession.token_hash == hash_token(token))
            )
        ).scalar_one()
        player = (
            await session.execute(select(Launch.player_id).where(Launch.id == launch_id))
        ).scalar_one()
        found = await session.scalars(
            select(GameRound).where(GameRound.player_id == player).order_by(GameRound.created_at)
        )
        return list(found.all())


async def calls_of(
    sessions: async_sessionmaker[AsyncSession], round_id: str
) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    async with inspecting(sessions) as session:
        calls = list(
            (
                await session.scalars(
                    select(Delivery)
                    .where(Delivery.subject_id == round_id)
                    .order_by(Delivery.created_at)
                )
            ).all()
        )
        result = []
        for call in calls:
            tries = await session.scalars(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.delivery_id == call.id)
                .order_by(DeliveryAttempt.id)
            )
            result.append((call, list(tries.all())))
    return result
