"""A slot launch in a currency its game has no bets in is refused at launch, on both databases,
whether the request names the currency or the launch would take the player's registered one
or the partner's default; a refusal leaves the player as it was."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.launches.models import Launch
from portero.launches.schemas import LaunchCreate
from portero.launches.service import request_fingerprint
from portero.products.registry import product_spec
from portero.slots.games import catalogue
from tests.support.factories import PartnerFixture, create_launch, launch_body, make_partner

GAME = "monaco-nights"


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


def slot_body(**player: Any) -> dict[str, Any]:
    body = launch_body("slot", params={"game_id": GAME})
    body["player"] |= player
    return body


def assert_refused(response: httpx.Response, currency: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_unsupported", "player.currency")
    assert currency in error["message"]
    for offered in catalogue.games()[GAME].credit_values:
        assert offered in error["message"]  # the refusal says what would be accepted


async def test_a_currency_named_in_the_request_and_not_offered_is_refused(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    assert "BHD" not in catalogue.games()[GAME].credit_values
    body = slot_body(currency="BHD")
    response = await client.post("/v1/launches", json=body, headers=partner.auth)
    assert_refused(response, "BHD")
    player = await client.get(f"/v1/players/{body['player']['id']}", headers=partner.auth)
    assert player.status_code == 404  # nothing was registered


async def test_the_players_registered_currency_is_checked_and_a_refusal_undoes_the_upsert(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    # A roulette table plays in any currency: the player is registered in dinars there.
    roulette = launch_body("roulette")
    roulette["player"] |= {"currency": "BHD", "nickname": "first"}
    await create_launch(client, partner, roulette)
    player_id = roulette["player"]["id"]
    body = slot_body(id=player_id, nickname="second")
    del body["player"]["currency"]
    for idempotency_key in (None, "retry-1"):  # with and without a request key
        headers = partner.auth | ({"Idempotency-Key": idempotency_key} if idempotency_key else {})
        response = await client.post("/v1/launches", json=body, headers=headers)
        assert_refused(response, "BHD")
        assert "registered currency" in response.json()["error"]["message"]
    player = (await client.get(f"/v1/players/{player_id}", headers=partner.auth)).json()
    assert (player["nickname"], player["currency"]) == ("first", "BHD")  # rolled back
    listed = await client.get("/v1/launches", params={"player_id": player_id}, headers=partner.auth)
    assert [launch["product"] for launch in listed.json()["data"]] == ["roulette"]
    # Naming an offered currency launches the game (and moves the player to it).
    body["player"]["currency"] = "EUR"
    launched = await create_launch(client, partner, body)
    assert launched["product"] == "slot"


async def test_the_partners_default_currency_is_checked(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    partner = await make_partner(sessions, default_currency="BHD")
    body = slot_body()
    del body["player"]["currency"]
    response = await client.post("/v1/launches", json=body, headers=partner.auth)
    assert_refused(response, "BHD")
    body["player"]["currency"] = "USD"
    await create_launch(client, partner, body)


async def test_a_keyed_request_is_refused_too_and_an_earlier_launch_still_replays(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    """A launch made before its currency was refused (here: issued in euros, its currency
    changed underneath as a catalogue change would leave it) replays to a retry of its key."""
    headers = partner.auth | {"Idempotency-Key": "bhd-1"}
    refused = await client.post("/v1/launches", json=slot_body(currency="BHD"), headers=headers)
    assert_refused(refused, "BHD")
    assert "registered currency" not in refused.json()["error"]["message"]
    body = slot_body(currency="EUR")
    headers = partner.auth | {"Idempotency-Key": "made-before"}
    first = await client.post("/v1/launches", json=body, headers=headers)
    assert first.status_code == 201, first.text
    # The same request again, once its currency is no longer offered: still the same launch.
    body["player"]["currency"] = "BHD"
    async with session_scope(sessions) as session:
        await session.execute(
            update(Launch).where(Launch.id == first.json()["id"]).values(currency="BHD")
        )
        await session.execute(
            update(Launch)
            .where(Launch.id == first.json()["id"])
            .values(request_hash=_fingerprint_of(body))
        )
    again = await client.post("/v1/launches", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def _fingerprint_of(body: dict[str, Any]) -> bytes:
    request = LaunchCreate.model_validate(body)
    params = product_spec(request.product).validate_params(request.params)
    return request_fingerprint(request, params)
