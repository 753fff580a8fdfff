"""A launch with a request key on PostgreSQL (launches/pg_store.py): a new key is one
statement, without BEGIN/COMMIT; a key already taken fails that statement whole (player
upsert included) and the transaction that follows replays or refuses, as before."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.launches import service as launches
from portero.launches.errors import IdempotencyKeyReused
from portero.launches.pg_store import INSERT_LAUNCH, INSERT_NEW_KEY_LAUNCH, AsyncpgLaunchStore
from portero.launches.schemas import LaunchCreate
from tests.support.factories import PartnerFixture, launch_body, make_partner
from tests.support.pg_rounds import connect

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url: str) -> str:
    return postgres_url


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def _launch(
    runtime: Runtime, connection: asyncpg.Connection, partner: PartnerFixture, body: Any, key: str
) -> launches.IssuedLaunch:
    snapshot = await runtime.authenticator.authenticate(partner.token)
    store = AsyncpgLaunchStore(connection)
    try:
        issued = await launches.create_launch(
            store,
            partner=snapshot,
            request=LaunchCreate.model_validate(body),
            signing_key=runtime.settings.signing_key,
            request_key=key,
        )
    except BaseException:
        await store.finish(commit=False)
        raise
    await store.finish(commit=True)
    return issued


async def _delivered() -> None:
    """asyncpg hands each logged query to its logger with `loop.call_soon`: one turn of the
    event loop delivers every one logged so far (a yield, not a wait for time to pass)."""
    await asyncio.sleep(0)


async def test_a_new_key_is_one_statement_and_a_taken_one_replays(
    runtime: Runtime, partner: PartnerFixture, database_url: str
) -> None:
    connection = await connect(database_url)
    sent: list[str] = []
    connection.add_query_logger(lambda record: sent.append(record.query))
    body = launch_body()
    try:
        first = await _launch(runtime, connection, partner, body, "order-1")
        await _delivered()
        assert sent == [INSERT_NEW_KEY_LAUNCH]
        assert not first.replayed
        sent.clear()
        again = await _launch(runtime, connection, partner, body, "order-1")
        await _delivered()
        assert again.replayed
        assert again.launch.id == first.launch.id
        assert sent[:3] == [INSERT_NEW_KEY_LAUNCH, "BEGIN;", INSERT_LAUNCH]
        changed = body | {"player": body["player"] | {"nickname": "someone-else"}}
        with pytest.raises(IdempotencyKeyReused):
            await _launch(runtime, connection, partner, changed, "order-1")
        nickname = await connection.fetchval(
            "SELECT nickname FROM player WHERE external_id = $1", body["player"]["id"]
        )
        assert nickname == body["player"]["nickname"]  # neither statement kept the upsert
    finally:
        await connection.close()


async def test_one_key_sent_twice_at_once_makes_one_launch(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    body = launch_body()
    headers = partner.auth | {"Idempotency-Key": "at-once"}
    answers = await asyncio.gather(
        *(client.post("/v1/launches", json=body, headers=headers) for _ in range(4))
    )
    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.json()["id"] for answer in answers}) == 1
    replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
    assert (replayed.count("true"), replayed.count(None)) == (3, 1)
