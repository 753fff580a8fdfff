"""Responsible-gaming limits at launch on both databases: the native body's
`responsible_gaming` (validated, games only, kept with the launch, shown by the API, part of
the idempotent request), and seed 001, whose document has no field for them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.factories import PartnerFixture, launch_body, make_partner, open_link

LIMITS = {
    "session_time_limit_seconds": 3600,
    "reality_check_seconds": 1800,
    "max_stake": 500,
    "loss_limit": 20_000,
}


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def launch(
    client: httpx.AsyncClient, partner: PartnerFixture, body: dict[str, Any], **headers: str
) -> httpx.Response:
    return await client.post("/v1/launches", json=body, headers=partner.auth | headers)


@pytest.mark.parametrize("product", ["slot", "roulette"])
async def test_the_limits_are_kept_with_the_launch_and_shown(
    client: httpx.AsyncClient, partner: PartnerFixture, product: str
) -> None:
    created = await launch(client, partner, launch_body(product, responsible_gaming=LIMITS))
    assert created.status_code == 201, created.text
    shown_limits = LIMITS | {"autoplay": True}  # offered unless the launch says otherwise
    assert created.json()["responsible_gaming"] == shown_limits
    shown = await client.get(f"/v1/launches/{created.json()['id']}", headers=partner.auth)
    assert shown.json()["responsible_gaming"] == shown_limits
    listed = await client.get("/v1/launches", headers=partner.auth)
    assert listed.json()["data"][0]["responsible_gaming"] == shown_limits
    some = await launch(client, partner, launch_body(product, responsible_gaming={"max_stake": 1}))
    assert some.json()["responsible_gaming"] == {
        "session_time_limit_seconds": None,
        "reality_check_seconds": None,
        "max_stake": 1,
        "loss_limit": None,
        "autoplay": True,
    }
    for nothing in ({}, None):
        plain = await launch(client, partner, launch_body(product, responsible_gaming=nothing))
        assert plain.json()["responsible_gaming"] is None


@pytest.mark.parametrize(
    ("limits", "param"),
    [
        ({"max_stake": 0}, "responsible_gaming.max_stake"),
        ({"loss_limit": -5}, "responsible_gaming.loss_limit"),
        ({"max_stake": "100"}, "responsible_gaming.max_stake"),
        ({"max_stake": 1.5}, "responsible_gaming.max_stake"),
        ({"loss_limit": 10**16}, "responsible_gaming.loss_limit"),
        ({"reality_check_seconds": 5}, "responsible_gaming.reality_check_seconds"),
        (
            {"session_time_limit_seconds": 2 * 86400},
            "responsible_gaming.session_time_limit_seconds",
        ),
        ({"deposit_limit": 100}, "responsible_gaming.deposit_limit"),
        ([100], "responsible_gaming"),
    ],
)
async def test_invalid_limits_are_refused_on_their_field(
    client: httpx.AsyncClient, partner: PartnerFixture, limits: Any, param: str
) -> None:
    response = await launch(client, partner, launch_body("slot", responsible_gaming=limits))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


@pytest.mark.parametrize("product", ["call", "console"])
async def test_limits_are_for_the_games_only(
    client: httpx.AsyncClient, partner: PartnerFixture, product: str
) -> None:
    body = launch_body(product, responsible_gaming={"max_stake": 100})
    if product == "console":
        body["params"] = {"agent_code": "a1"}
    response = await launch(client, partner, body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", "responsible_gaming")
    assert "roulette, slot" in error["message"]


async def test_the_limits_are_part_of_the_idempotent_request(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    body = launch_body("slot", responsible_gaming={"loss_limit": 1000})
    first = await launch(client, partner, body, **{"Idempotency-Key": "rg-1"})
    again = await launch(client, partner, body, **{"Idempotency-Key": "rg-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    body["responsible_gaming"] = {"loss_limit": 2000}
    other = await launch(client, partner, body, **{"Idempotency-Key": "rg-1"})
    assert other.status_code == 409
    # A request without limits fingerprints as it did before the field existed.
    plain = launch_body("slot")
    assert (await launch(client, partner, plain, **{"Idempotency-Key": "rg-2"})).is_success
    plain["responsible_gaming"] = None
    replay = await launch(client, partner, plain, **{"Idempotency-Key": "rg-2"})
    assert replay.headers["Idempotent-Replayed"] == "true"


async def test_seed_001_launches_carry_no_limits_and_ignore_undocumented_fields(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    """The document defines no field for limits, and its clients' extra fields are ignored:
    a LuckyMonaco session has none (its partner's configuration still shows on the page)."""
    request = {
        "uuid": "0b8e7c8e-3a0f-4d0e-9f53-1c2d3e4f5a6b",
        "gametype": "slot",
        "gameid": "monaco-nights",
        "player": {
            "id": "lm-7",
            "nickname": "estarly93",
            "language": "es",
            "currency": "EUR",
            "session": {"id": "s-7", "ip": "203.0.113.7"},
            "responsible_gaming": {"max_stake": 1},
        },
        "responsible_gaming": {"max_stake": 1},
        "limits": {"loss_limit": 1},
    }
    answer = await client.post(
        f"/api/session?MEMB_ID={partner.id}&HASH={partner.token}", json=request
    )
    assert answer.status_code == 200, answer.text
    assert list(answer.json()) == ["url"]
    listed = (await client.get("/v1/launches", headers=partner.auth)).json()["data"]
    assert listed[0]["source"] == "luckymonaco"
    assert listed[0]["responsible_gaming"] is None
    auth = await open_link(client, {"url": answer.json()["url"]})
    session = (await client.get("/play/api/session", headers=auth)).json()
    assert session["responsible_gaming"] is None
    spin = {"spin_id": "s1", "bet": 200}
    assert (await client.post("/play/api/slots/spins", json=spin, headers=auth)).is_success
