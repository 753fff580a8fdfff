"""Guessing links is throttled, whatever shape the link has, per client network as the trusted-
proxy rules give it: a localised page for browsers, the API's JSON for programs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import make_settings
from tests.support.factories import PartnerFixture, create_launch, make_partner
from tests.support.throttling import HandClock, client_at, started

LIMIT = 3
ADDRESS, OTHER_ADDRESS = "203.0.113.7", "198.51.100.9"
NATIVE_GUESS = "/launch/" + "x" * 43
# A guess at each shape of link (docs/security.md, "Launch links").
GUESSES = {
    "native": NATIVE_GUESS,
    "seed 000": f"/1.0/request/accepted/{uuid.uuid4()}",
    "seed 001": "/luckymonaco/index.html?token=" + "x" * 43,
    "seed 002": "/session/abc-def-ghj-kl",
}
HOUSE_BODY_THROTTLED = "too_many_attempts"
JSON = {"Accept": "application/json"}


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
async def app(database_url: str, clock: HandClock) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, throttle_link_failures=LIMIT)
    async with started(settings, clock) as application:
        yield application


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


@pytest.mark.parametrize("shape", list(GUESSES))
async def test_unknown_links_then_a_localised_429_page(
    app: FastAPI, shape: str, clock: HandClock
) -> None:
    guess = GUESSES[shape]
    async with client_at(app, ADDRESS) as browser:
        for _ in range(LIMIT):
            assert (await browser.get(guess)).status_code == 404
        clock.advance(20)
        page = await browser.get(guess, headers={"Accept-Language": "es-ES,es"})
        assert page.status_code == 429
        assert page.headers["retry-after"] == "40"
        assert page.headers["portero-link-status"] == HOUSE_BODY_THROTTLED
        assert page.headers["content-type"].startswith("text/html")
        assert "Demasiados intentos" in page.text
        answer = await browser.get(guess, headers=JSON)
        assert answer.status_code == 429
        assert answer.headers["retry-after"] == "40"
        if shape == "seed 000":  # the document's body for content that cannot load now
            expected = {"status": "ERROR", "code_error": 510, "description": "Error Load Content"}
            assert answer.json() == expected
        else:
            assert answer.json()["error"]["code"] == HOUSE_BODY_THROTTLED


async def test_a_throttled_network_cannot_open_even_a_real_link_until_the_window_ends(
    app: FastAPI, partner: PartnerFixture, clock: HandClock
) -> None:
    async with client_at(app, ADDRESS) as browser, client_at(app, OTHER_ADDRESS) as other:
        first, second = await create_launch(other, partner), await create_launch(other, partner)
        for _ in range(LIMIT):
            await browser.get(NATIVE_GUESS)
        # A right guess answered differently from a wrong one would be found all the same.
        assert (await browser.get(first["url"])).status_code == 429
        assert (await other.get(first["url"])).status_code == 303  # another network
        clock.advance(60)
        assert (await browser.get(second["url"])).status_code == 303


async def test_guesses_sent_at_once_are_no_more_than_the_limit(app: FastAPI) -> None:
    async with client_at(app, ADDRESS) as browser:
        assert (await browser.get(NATIVE_GUESS)).status_code == 404  # the network has failed
        answers = await asyncio.gather(*(browser.get(NATIVE_GUESS) for _ in range(4 * LIMIT)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [404] * (LIMIT - 1) + [429] * (3 * LIMIT + 1)


async def test_many_good_links_opened_at_once_from_one_address_all_open(
    app: FastAPI, partner: PartnerFixture
) -> None:
    """Players behind one address (a venue, a carrier's NAT) are not guessers."""
    async with client_at(app, ADDRESS) as browser:
        launches = [await create_launch(browser, partner) for _ in range(3 * LIMIT)]
        answers = await asyncio.gather(*(browser.get(launch["url"]) for launch in launches))
    assert [answer.status_code for answer in answers] == [303] * (3 * LIMIT)


async def test_used_links_and_successes_are_not_guesses(
    app: FastAPI, partner: PartnerFixture
) -> None:
    async with client_at(app, ADDRESS) as browser:
        launch = await create_launch(browser, partner)
        await browser.get(NATIVE_GUESS)
        assert (await browser.get(launch["url"])).status_code == 303
        for _ in range(2 * LIMIT):  # reloading a used link: only its holder can
            assert (await browser.get(launch["url"])).status_code == 409
        for _ in range(LIMIT - 1):
            assert (await browser.get(NATIVE_GUESS)).status_code == 404
        assert (await browser.get(NATIVE_GUESS)).status_code == 429


async def test_an_ipv6_host_is_counted_with_its_slash_64(app: FastAPI) -> None:
    async with client_at(app, "2001:db8:0:1::1") as host:
        for _ in range(LIMIT):
            await host.get(NATIVE_GUESS)
    async with client_at(app, "2001:db8:0:1:ffff::2") as same_network:
        assert (await same_network.get(NATIVE_GUESS)).status_code == 429
    async with client_at(app, "2001:db8:0:2::1") as next_network:
        assert (await next_network.get(NATIVE_GUESS)).status_code == 404


async def test_behind_a_trusted_proxy_each_forwarded_client_counts_apart(
    database_url: str,
) -> None:
    settings = make_settings(
        database_url, throttle_link_failures=LIMIT, trusted_proxies="127.0.0.1"
    )
    async with started(settings, HandClock()) as app, client_at(app, "127.0.0.1") as proxy:
        client_a, client_b = {"X-Forwarded-For": ADDRESS}, {"X-Forwarded-For": OTHER_ADDRESS}
        for _ in range(LIMIT):
            assert (await proxy.get(NATIVE_GUESS, headers=client_a)).status_code == 404
        assert (await proxy.get(NATIVE_GUESS, headers=client_a)).status_code == 429
        assert (await proxy.get(NATIVE_GUESS, headers=client_b)).status_code == 404


async def test_a_client_cannot_escape_by_forging_forwarded_for(database_url: str) -> None:
    settings = make_settings(database_url, throttle_link_failures=LIMIT)  # no trusted proxy
    async with started(settings, HandClock()) as app, client_at(app, ADDRESS) as client:
        for n in range(LIMIT):
            forged = {"X-Forwarded-For": f"192.0.2.{n}"}
            assert (await client.get(NATIVE_GUESS, headers=forged)).status_code == 404
        forged = {"X-Forwarded-For": "192.0.2.200"}
        assert (await client.get(NATIVE_GUESS, headers=forged)).status_code == 429
