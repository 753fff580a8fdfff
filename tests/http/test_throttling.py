"""Guessing partner credentials is throttled in every API, each answering in its own error
shape; the server's throttle comes from the settings (links: tests/web/test_link_guessing.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.app import create_app
from portero.http.throttling import LINK_OPENINGS, PARTNER_AUTHENTICATIONS, build_throttle
from portero.kit.throttle import Limit, LocalCounter
from portero.kit.throttle_redis import RedisCounter
from tests.conftest import make_settings, running
from tests.support.factories import PartnerFixture, make_partner
from tests.support.throttling import (
    HandClock,
    client_at,
    reachable_redis,
    started,
    unique_prefix,
)

LIMIT = 3
ADDRESS, OTHER_ADDRESS = "203.0.113.7", "198.51.100.9"
WRONG = "prt_" + "x" * 43


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
async def app(database_url: str, clock: HandClock) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, throttle_auth_failures=LIMIT)
    async with started(settings, clock) as application:
        yield application


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


Client = httpx.AsyncClient
Call = Callable[[Client, PartnerFixture, str], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Api:
    call: Call
    failed: Callable[[httpx.Response], bool]
    succeeded: Callable[[httpx.Response], bool]
    throttled: Callable[[Any], bool]  # the body of a 429


async def native(client: Client, partner: PartnerFixture, token: str) -> httpx.Response:
    return await client.get("/v1/launches", headers={"Authorization": f"Bearer {token}"})


async def seed_000(client: Client, partner: PartnerFixture, token: str) -> httpx.Response:
    user = {"UserId": "238", "UserName": "estarly93", "UserEmail": "estarly@example.com"}
    data = {"TokenId": token, "ClientId": str(partner.id)} | user
    return await client.post("/1.0/request_session", data=data)


async def seed_001(client: Client, partner: PartnerFixture, token: str) -> httpx.Response:
    session = {"id": "s1", "ip": "203.0.113.7"}
    player = {"id": "238", "nickname": "estarly93", "language": "en", "currency": "EUR"}
    body = {
        "uuid": str(uuid.uuid4()),
        "gametype": "table",
        "gameid": "roulette",
        "player": player | {"session": session},
    }
    params = {"MEMB_ID": str(partner.id), "HASH": token}
    return await client.post("/api/session", params=params, json=body)


async def seed_002(client: Client, partner: PartnerFixture, token: str) -> httpx.Response:
    return await client.post(
        "/api/v1/access/external/cammer/generate-session",
        headers={"Authorization": token, "X-Requested-With": "XMLHttpRequest"},
        json={"name": "Abraham", "cellphone": "+584141315854"},
    )


APIS = {
    "native": Api(
        native,
        failed=lambda r: r.status_code == 401,
        succeeded=lambda r: r.status_code == 200,
        throttled=lambda body: (
            body["error"]["type"] == "invalid_request_error"
            and body["error"]["code"] == "too_many_attempts"
            and body["error"]["message"].startswith("Too many failed attempts")
        ),
    ),
    "seed 000": Api(
        seed_000,
        failed=lambda r: r.status_code == 200 and r.json()["code"] == 506,
        succeeded=lambda r: r.status_code == 200 and r.json()["status"] == "OK",
        throttled=lambda body: (
            body == {"status": "ERROR", "code": 509, "description": "Error Create User"}
        ),
    ),
    "seed 001": Api(
        seed_001,
        failed=lambda r: r.status_code == 401 and r.json()["errors"]["code"] == "G.0",
        succeeded=lambda r: r.status_code == 200 and "url" in r.json(),
        throttled=lambda body: (
            body["errors"]["code"] == "G.01"
            and body["errors"]["message"].startswith("Too many failed attempts")
        ),
    ),
    "seed 002": Api(
        seed_002,
        failed=lambda r: r.status_code == 401 and r.json()["statusCode"] == 9,
        succeeded=lambda r: r.status_code == 200 and r.json()["statusCode"] == 0,
        throttled=lambda body: (
            body == {"statusCode": 9, "message": "Too many failed attempts, retry later"}
        ),
    ),
}


@pytest.fixture(params=list(APIS))
def api(request: pytest.FixtureRequest) -> Api:
    return APIS[request.param]


async def test_failed_authentications_then_429_in_the_apis_shape_until_the_window_ends(
    app: FastAPI, partner: PartnerFixture, api: Api, clock: HandClock
) -> None:
    async with client_at(app, ADDRESS) as client:
        for _ in range(LIMIT):
            assert api.failed(await api.call(client, partner, WRONG))
        clock.advance(15)
        # Refused whatever the credentials: answering a right guess would tell it apart.
        refused = await api.call(client, partner, partner.token)
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "45"
        assert api.throttled(refused.json())
        async with client_at(app, OTHER_ADDRESS) as other:
            assert api.succeeded(await api.call(other, partner, partner.token))
        clock.advance(45)
        assert api.succeeded(await api.call(client, partner, partner.token))


async def test_successes_do_not_count(app: FastAPI, partner: PartnerFixture, api: Api) -> None:
    async with client_at(app, ADDRESS) as client:
        for token in [WRONG] * (LIMIT - 1) + [partner.token] * 5:
            await api.call(client, partner, token)
        assert api.failed(await api.call(client, partner, WRONG))
        assert (await api.call(client, partner, partner.token)).status_code == 429


async def test_a_disabled_limit_never_refuses(database_url: str, partner: PartnerFixture) -> None:
    settings = make_settings(database_url, throttle_auth_failures=0)
    async with started(settings, HandClock()) as app, client_at(app, ADDRESS) as client:
        for _ in range(25):
            assert (await native(client, partner, WRONG)).status_code == 401
        assert (await native(client, partner, partner.token)).status_code == 200


async def test_two_servers_count_together_through_redis(
    database_url: str, partner: PartnerFixture, clock: HandClock
) -> None:
    """The second server learns of the limit from its own next failure: the network gets one
    attempt more than the limit, where two separate counts would give it twice the limit."""
    url, prefix = await reachable_redis(), unique_prefix()
    settings = make_settings(database_url, throttle_auth_failures=LIMIT, redis_url=url)
    async with (
        started(settings, clock, redis_prefix=prefix) as first,
        started(settings, clock, redis_prefix=prefix) as second,
        client_at(first, ADDRESS) as one,
        client_at(second, ADDRESS) as two,
    ):
        for _ in range(LIMIT):
            assert (await native(one, partner, WRONG)).status_code == 401
        assert (await native(one, partner, partner.token)).status_code == 429
        assert (await native(two, partner, WRONG)).status_code == 401
        assert (await native(two, partner, partner.token)).status_code == 429
        clock.advance(60)
        assert (await native(two, partner, partner.token)).status_code == 200


async def test_the_server_throttles_as_configured(database_url: str) -> None:
    app = create_app(make_settings(database_url))
    async with running(app):
        throttle = app.state.throttle
        assert throttle.limits == {
            LINK_OPENINGS: Limit(20, 60, count_in_flight=True),
            PARTNER_AUTHENTICATIONS: Limit(20, 60),
        }
        assert isinstance(throttle.counter, LocalCounter)
    shared = build_throttle(
        make_settings(database_url, redis_url="redis://127.0.0.1:6379/0", throttle_link_failures=5)
    )
    assert isinstance(shared.counter, RedisCounter)
    assert shared.limits[LINK_OPENINGS] == Limit(5, 60, count_in_flight=True)
    await shared.close()
