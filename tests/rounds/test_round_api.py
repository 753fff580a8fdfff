"""GET /v1/rounds and /v1/rounds/{id}: a partner's rounds for reconciliation, on both
databases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.replay import round_of_token
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
)

ROUNDS = "/v1/rounds"


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def spins(
    client: httpx.AsyncClient, partner: PartnerFixture, count: int, **player: Any
) -> tuple[str, list[dict[str, Any]]]:
    body = launch_body("slot")
    body["player"] |= player
    auth = await open_link(client, await create_launch(client, partner, body))
    played = []
    for _ in range(count):
        response = await client.post(
            "/play/api/slots/spins", json={"spin_id": uuid.uuid4().hex, "bet": 100}, headers=auth
        )
        assert response.status_code == 200, response.text
        played.append(response.json()["spin"])
    return body["player"]["id"], played


async def walk(
    client: httpx.AsyncClient, partner: PartnerFixture, **params: Any
) -> list[dict[str, Any]]:
    """Every page of a listing, two rounds a page."""
    found: list[dict[str, Any]] = []
    query = params | {"limit": 2}
    while True:
        response = await client.get(ROUNDS, params=query, headers=partner.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["data"]
        if not page["has_more"]:
            return found
        query = params | {"limit": 2, "starting_after": page["data"][-1]["id"]}


async def test_rounds_are_listed_newest_first_with_their_money(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime
) -> None:
    player, played = await spins(client, partner, 5)
    listed = await walk(client, partner)
    assert [r["id"] for r in listed] == [spin["id"] for spin in reversed(played)]
    for spin, row in zip(reversed(played), listed, strict=True):
        assert row["player_id"] == player
        assert (row["stake"], row["payout"], row["status"]) == (100, spin["win"], "settled")
        assert (row["product"], row["game_id"], row["currency"]) == ("slot", "monaco-nights", "EUR")
        debit = {"id": f"slot:{row['id']}:stake", "type": "debit", "amount": 100,
                 "status": "completed", "outcome": None}  # fmt: skip
        assert row["transactions"][0] == debit
        assert sum(t["amount"] for t in row["transactions"] if t["type"] == "credit") == spin["win"]
        assert row["outcome"] is None  # only on the round itself
        token = row["replay_url"].rsplit("/", 1)[1]
        assert round_of_token(runtime.settings, token) == row["id"]
    one = await client.get(f"{ROUNDS}/{played[0]['id']}", headers=partner.auth)
    assert one.status_code == 200, one.text
    assert one.json()["outcome"]["base"]["stops"] == played[0]["base"]["stops"]


async def test_filters_and_the_time_window(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, early = await spins(client, partner, 2)
    await spins(client, partner, 3)
    assert {r["id"] for r in await walk(client, partner, player_id=first)} == {
        s["id"] for s in early
    }
    assert await walk(client, partner, player_id="nobody") == []
    assert len(await walk(client, partner, game_id="monaco-nights", product="slot")) == 5
    yesterday = utcnow() - timedelta(days=1, hours=1)
    async with inspecting(sessions) as session:
        await session.execute(
            update(GameRound)
            .where(GameRound.id.in_([s["id"] for s in early]))
            .values(created_at=yesterday, status=RoundStatus.cancelled)
        )
        await session.commit()
    window = {"created[gte]": (yesterday - timedelta(hours=1)).isoformat()}  # up to 23 h later
    old = await walk(client, partner, **window, status="cancelled")
    assert {r["id"] for r in old} == {s["id"] for s in early}
    assert all(r["transactions"] == [] for r in old)  # a ledger round cancelled moved nothing
    assert len(await walk(client, partner, status="settled")) == 3
    assert await walk(client, partner, status="open") == []


async def test_a_window_wider_than_a_day_needs_a_cursor(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    _, played = await spins(client, partner, 3)
    wide = {"created[gte]": "2026-01-01T00:00:00Z", "created[lt]": "2027-01-01T00:00:00Z"}
    refused = await client.get(ROUNDS, params=wide, headers=partner.auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "created[lt]"
    walked = await client.get(
        ROUNDS, params=wide | {"starting_after": played[-1]["id"]}, headers=partner.auth
    )
    assert walked.status_code == 200
    assert [r["id"] for r in walked.json()["data"]] == [played[1]["id"], played[0]["id"]]
    backwards = {"created[gte]": "2026-01-02T00:00:00Z", "created[lt]": "2026-01-01T00:00:00Z"}
    assert (await client.get(ROUNDS, params=backwards, headers=partner.auth)).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"status": "debiting"},
        {"created[gte]": "yesterday"},
        {"starting_after": "rnd_nope"},
        {"starting_after": "rnd_" + "0" * 26},  # well formed, no such round
        {"limit": 101},
        {"colour": "red"},
    ],
)
async def test_bad_queries_are_the_native_400(
    client: httpx.AsyncClient, partner: PartnerFixture, params: dict[str, Any]
) -> None:
    response = await client.get(ROUNDS, params=params, headers=partner.auth)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_a_partner_sees_only_its_own_rounds(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    _, played = await spins(client, partner, 1)
    other = await make_partner(sessions)
    assert (await client.get(ROUNDS, headers=other.auth)).json()["data"] == []
    response = await client.get(f"{ROUNDS}/{played[0]['id']}", headers=other.auth)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    assert (await client.get(ROUNDS)).status_code == 401
