"""The slot play API on both databases: bets, currencies, money, idempotency, concurrency."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit.db import session_scope
from portero.launches import opening
from portero.launches.models import Launch
from portero.partners.terms import default_terms
from portero.slots import service
from portero.slots.games import catalogue
from portero.slots.games.rules import evaluate, window_at
from portero.slots.schemas import SpinIn
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
    set_terms,
)

GAME = "/play/api/slots/game"
SPINS = "/play/api/slots/spins"


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def sit(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    game_id: str = "monaco-nights",
    **player: Any,
) -> dict[str, str]:
    body = launch_body("slot", params={"game_id": game_id})
    body["player"] |= player
    return await open_link(client, await create_launch(client, partner, body))


async def spin(
    client: httpx.AsyncClient, auth: dict[str, str], bet: int, spin_id: str | None = None
) -> httpx.Response:
    body = {"spin_id": spin_id or uuid.uuid4().hex, "bet": bet}
    return await client.post(SPINS, json=body, headers=auth)


def engine_win(game_id: str, record: dict[str, Any]) -> int:
    """The win the rules give for the recorded stops, in minor units."""
    game = catalogue.games()[game_id]
    credit = record["bet"] // game.bet_multiplier
    credits = evaluate(game, window_at(game, record["base"]["stops"])).credits
    for free in record["free_spins"]:
        credits += evaluate(game, window_at(game, free["stops"])).credits * free["multiplier"]
    return credits * credit


async def test_the_game_bet_levels_and_balance(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await sit(client, partner)
    response = await client.get(GAME, headers=auth)
    assert response.status_code == 200, response.text
    table = response.json()
    game = catalogue.games()["monaco-nights"]
    assert table["game"]["id"] == "monaco-nights"
    assert table["game"]["name"] == game.names["es"]  # the launch's language
    assert table["game"]["figures"]["rtp"] == game.published.rtp
    assert table["bet_levels"] == [v * 20 for v in game.credit_values["EUR"]]
    assert (table["currency"], table["minor_units"]) == ("EUR", 2)
    assert table["balance"] == default_terms("EUR").demo_credit


async def test_a_spin_settles_exactly_what_the_rules_pay(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await sit(client, partner)
    balance = (await client.get(GAME, headers=auth)).json()["balance"]
    for _ in range(15):
        response = await spin(client, auth, 100)
        assert response.status_code == 200, response.text
        result = response.json()
        record = result["spin"]
        assert record["win"] == engine_win("monaco-nights", record)
        assert record["win"] == record["base"]["amount"] + sum(
            f["amount"] for f in record["free_spins"]
        )
        assert sum(w["amount"] for w in record["base"]["wins"]) == record["base"]["amount"]
        balance = balance - 100 + record["win"]
        assert result["balance"] == record["balance_after"] == balance
    listed = (await client.get(SPINS, params={"limit": 10}, headers=auth)).json()["data"]
    assert len(listed) == 10
    assert listed[0]["balance_after"] == balance


@pytest.mark.parametrize(
    ("currency", "bet", "minor_units"), [("JPY", 20, 0), ("KRW", 200, 0), ("USD", 40, 2)]
)
async def test_bets_follow_each_currencys_minor_units(
    client: httpx.AsyncClient, partner: PartnerFixture, currency: str, bet: int, minor_units: int
) -> None:
    auth = await sit(client, partner, currency=currency)
    table = (await client.get(GAME, headers=auth)).json()
    assert table["minor_units"] == minor_units
    assert bet in table["bet_levels"]
    response = await spin(client, auth, bet)
    assert response.status_code == 200, response.text
    assert response.json()["spin"]["currency"] == currency


@pytest.mark.parametrize("bet", [10, 0, -20, 101, 10**12])
async def test_a_bet_that_is_not_a_level_is_refused(
    client: httpx.AsyncClient, partner: PartnerFixture, bet: int
) -> None:
    auth = await sit(client, partner)
    response = await spin(client, auth, bet)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bet_not_offered"
    assert (await client.get(SPINS, headers=auth)).json()["data"] == []


async def test_a_bet_over_the_balance_is_refused(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await set_terms(sessions, partner, "EUR", demo_credit=150, min_bet=1, max_bet=100)
    auth = await sit(client, partner)
    response = await spin(client, auth, 200)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert (await client.get(GAME, headers=auth)).json()["balance"] == 150


async def test_a_retried_spin_is_played_once(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await sit(client, partner, game_id="jade-ways")
    answers = await asyncio.gather(*(spin(client, auth, 50, "spin-1") for _ in range(3)))
    assert [a.status_code for a in answers] == [200] * 3
    assert sorted(a.json()["replayed"] for a in answers) == [False, True, True]
    assert len({a.json()["spin"]["id"] for a in answers}) == 1
    other = await spin(client, auth, 100, "spin-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "spin_id_reused"
    assert len((await client.get(SPINS, headers=auth)).json()["data"]) == 1


async def test_a_spin_id_reused_in_another_currency_is_refused(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    player = "two-currencies-" + uuid.uuid4().hex[:6]
    euros = await sit(client, partner, id=player, currency="EUR")
    yen = await sit(client, partner, id=player, currency="JPY")
    assert (await spin(client, euros, 20, "shared-id")).status_code == 200
    response = await spin(client, yen, 20, "shared-id")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "spin_id_reused"


async def test_two_spins_at_once_cannot_overdraw(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await set_terms(sessions, partner, "EUR", demo_credit=1_000, min_bet=1, max_bet=1_000)
    player = "slot-tabs-" + uuid.uuid4().hex[:6]
    tabs = [await sit(client, partner, game_id="fruit-royale", id=player) for _ in range(2)]
    assert (await client.get(GAME, headers=tabs[0])).json()["balance"] == 1_000
    # fruit-royale's top level is 250 (50 x 5 credits); each tab plays 4 at once: at most 4 in
    # all can be covered unless wins come back in between.
    answers = await asyncio.gather(*(spin(client, tab, 250) for tab in tabs for _ in range(4)))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {200, 409}
    settled = [a.json() for a in answers if a.status_code == 200]
    final = (await client.get(GAME, headers=tabs[1])).json()["balance"]
    assert final >= 0
    assert final == 1_000 - 250 * len(settled) + sum(s["spin"]["win"] for s in settled)
    if 409 in statuses:
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json()["error"]["code"] == "insufficient_funds"


async def test_outcomes_never_depend_on_the_balance_or_the_past(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sessions: async_sessionmaker[AsyncSession],
    runtime: Runtime,
) -> None:
    """No compensation: the same random numbers give the same spin for a player with a fresh
    wallet and for one who has just won or lost a lot."""
    rich = await sit(client, partner, id="rich-" + uuid.uuid4().hex[:6])
    fresh = await sit(client, partner, id="fresh-" + uuid.uuid4().hex[:6])
    for _ in range(20):
        await spin(client, rich, 1_000)
    outcomes = []
    for auth in (rich, fresh):
        token = auth["Authorization"].removeprefix("Bearer ")
        async with session_scope(sessions) as session:
            context = await opening.resume(session, token=token)
            spun = await service.spin(
                runtime,
                session,
                context,
                SpinIn(spin_id=uuid.uuid4().hex, bet=100),
                random.Random("same numbers").randrange,
            )
        outcomes.append((spun.round.outcome, spun.round.payout))
    assert outcomes[0] == outcomes[1]


async def test_sessions_of_other_products_or_currencies_cannot_play(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    roulette = await open_link(client, await create_launch(client, partner))
    response = await client.get(GAME, headers=roulette)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "game_unavailable"
    # A launch in a currency the game does not offer is refused (tests/launches); one issued
    # before the game stopped offering its currency still cannot play.
    launch = await create_launch(client, partner, launch_body("slot"))
    async with session_scope(sessions) as session:
        await session.execute(
            update(Launch).where(Launch.id == launch["id"]).values(currency="CHF")
        )
    swiss = await open_link(client, launch)
    response = await spin(client, swiss, 100)
    assert response.status_code == 403
    assert "CHF" in response.json()["error"]["message"]


async def test_an_unknown_game_cannot_be_launched(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    body = launch_body("slot", params={"game_id": "no-such-game"})
    response = await client.post("/v1/launches", json=body, headers=partner.auth)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "params.game_id"


async def test_an_ended_session_and_bad_bodies(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await sit(client, partner)
    for body, code in (
        ({"spin_id": "a b", "bet": 100}, "parameter_invalid"),
        ({"spin_id": "x", "bet": 1.5}, "parameter_invalid"),
        ({"spin_id": "x"}, "parameter_missing"),
        ({"spin_id": "x", "bet": 100, "lines": 20}, "parameter_unknown"),
    ):
        response = await client.post(SPINS, json=body, headers=auth)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == code
    await client.post("/play/api/session/end", headers=auth)
    response = await spin(client, auth, 100)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"
