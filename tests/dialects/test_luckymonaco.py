"""Seed 001 (LuckyMonaco game sessions): answers, every G and V code, uuid reuse."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.dialects.luckymonaco.errors import AUTH_MESSAGE
from portero.kit.db import session_scope
from portero.partners import service as partners
from portero.partners.models import PartnerStatus
from portero.slots.games.catalogue import games as slot_games
from tests.support.factories import PartnerFixture, make_partner


def request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "gametype": "table",
        "gameid": "roulette",
        "player": {
            "id": "238",
            "nickname": "estarly93",
            "language": "ja",
            "currency": "JPY",
            "session": {"id": "sess-1", "ip": "203.0.113.7"},
        },
    }
    return body | changes


def with_player(**changes: Any) -> dict[str, Any]:
    body = request_body()
    body["player"] |= changes
    return body


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, products=["roulette", "slot"])


async def call(
    client: httpx.AsyncClient, partner: PartnerFixture, body: Any, **query: Any
) -> httpx.Response:
    params = {"MEMB_ID": partner.id, "HASH": partner.token} | query
    return await client.post("/api/session", params=params, json=body)


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["errors"]
    assert list(body["errors"]) == ["code", "message"]
    assert body["errors"]["code"] == code
    assert isinstance(body["errors"]["message"], str)


class TestSuccess:
    async def test_answers_a_url_with_the_token(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await call(client, partner, request_body())
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["url"]
        assert body["url"].startswith("http://portero.test/luckymonaco/index.html?token=")
        opened = await client.get(body["url"])
        assert opened.status_code == 303
        assert opened.headers["location"].startswith("/play/lnch_")

    async def test_same_uuid_same_request_answers_the_first_answer(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = request_body()
        first = await call(client, partner, body)
        again = await call(client, partner, body)
        assert again.status_code == 200
        assert again.json() == first.json()

    async def test_the_launch_is_visible_through_the_native_api(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        await call(client, partner, with_player(id="lm-native"))
        listed = await client.get("/v1/launches?player_id=lm-native", headers=partner.auth)
        launch = listed.json()["data"][0]
        assert (launch["product"], launch["source"]) == ("roulette", "luckymonaco")
        assert (launch["language"], launch["currency"]) == ("ja", "JPY")

    async def test_the_catalogue(self, client: httpx.AsyncClient) -> None:
        listed = (await client.get("/api/games")).json()
        by_id = {game["gameid"]: game for game in listed["games"]}
        roulette = by_id.pop("roulette")
        assert (roulette["gametype"], roulette["name"]) == ("table", "European Roulette")
        assert roulette["rtp"] == pytest.approx(36 / 37)
        assert roulette["max_win"] == 36  # a straight bet returns 36 times its stake
        assert roulette["hit_frequency"] is None
        assert set(roulette["currencies"]) == {"EUR", "USD", "GBP", "JPY", "KRW", "CNY"}
        # Every slot game of the catalogue, with the figures its data publishes.
        assert set(by_id) == set(slot_games())
        for game_id, listed_game in by_id.items():
            spec = slot_games()[game_id]
            assert listed_game["gametype"] == "slot"
            assert listed_game["names"] == spec.names
            assert listed_game["currencies"] == sorted(spec.credit_values)
            assert listed_game["rtp"] == spec.published.rtp
            assert listed_game["hit_frequency"] == spec.published.hit_frequency
            assert listed_game["max_win"] == spec.published.max_win
        assert {"en", "es", "ja", "zh", "ko"} <= set(listed["languages"])
        assert {"JPY", "KRW", "EUR"} <= set(listed["currencies"])


class TestGenericErrors:
    @pytest.mark.parametrize(
        "query", [{"HASH": "prt_wrong"}, {"MEMB_ID": 999999}, {"MEMB_ID": "abc"}, {"HASH": ""}]
    )
    async def test_wrong_credentials_are_g0_with_the_documents_message(
        self, client: httpx.AsyncClient, partner: PartnerFixture, query: dict[str, Any]
    ) -> None:
        response = await call(client, partner, request_body(), **query)
        assert_error(response, 401, "G.0")
        assert response.json()["errors"]["message"] == AUTH_MESSAGE

    async def test_disabled_or_unconfigured_partner_is_g0(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        slots_only = await make_partner(sessions, products=["slot"])
        assert_error(await call(client, slots_only, request_body()), 401, "G.0")
        async with session_scope(sessions) as session:
            await partners.set_status(session, partner_id=partner.id, status=PartnerStatus.disabled)
        assert_error(await call(client, partner, request_body()), 401, "G.0")

    async def test_storage_down_is_a_retryable_g01(self) -> None:
        from portero.app import create_app
        from tests.conftest import PUBLIC_URL, make_settings, running

        app = create_app(make_settings("postgresql+asyncpg://postgres@127.0.0.1:9/none"))
        async with running(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
                response = await client.post(
                    "/api/session", params={"MEMB_ID": 1, "HASH": "x"}, json=request_body()
                )
        assert_error(response, 503, "G.01")
        assert response.headers["retry-after"] == "1"

    async def test_wrong_method(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/session")
        assert_error(response, 405, "G.02")
        assert response.headers["allow"] == "POST"


class TestValidation:
    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            (request_body(uuid=""), 400, "V.16"),
            ({k: v for k, v in request_body().items() if k != "uuid"}, 400, "V.16"),
            (request_body(uuid="not-a-uuid"), 400, "V.17"),
            ({k: v for k, v in request_body().items() if k != "gametype"}, 400, "V.20"),
            (request_body(gametype="poker"), 400, "V.21"),
            (request_body(gametype="slot", gameid="fruits"), 400, "V.24"),
            ({k: v for k, v in request_body().items() if k != "gameid"}, 400, "V.23"),
            (request_body(gameid="blackjack"), 400, "V.24"),
            ({k: v for k, v in request_body().items() if k != "player"}, 400, "V.10"),
            (with_player(id=""), 400, "V.2"),
            (with_player(id="x" * 129), 400, "V.3"),
            (with_player(nickname="n" * 101), 400, "V.5"),
            (with_player(language="xx"), 400, "V.33"),
            (with_player(language="de"), 400, "V.33"),
            (with_player(currency="XYZ"), 400, "V.32"),
            (with_player(session={"id": "s"}), 400, "V.8"),
            (with_player(session={"id": "s", "ip": "999.1.1.1"}), 400, "V.9"),
            (with_player(session={"ip": "::1"}), 400, "V.6"),
        ],
    )
    async def test_each_rule_has_its_v_code(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        body: dict[str, Any],
        status: int,
        code: str,
    ) -> None:
        assert_error(await call(client, partner, body), status, code)

    @pytest.mark.parametrize("field", ["id", "nickname", "language", "currency"])
    async def test_missing_player_fields(
        self, client: httpx.AsyncClient, partner: PartnerFixture, field: str
    ) -> None:
        body = copy.deepcopy(request_body())
        del body["player"][field]
        expected = {"id": "V.2", "nickname": "V.4", "language": "V.13", "currency": "V.12"}
        assert_error(await call(client, partner, body), 400, expected[field])

    async def test_ipv6_is_accepted(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = with_player(session={"id": "s", "ip": "2001:db8::1"})
        assert (await call(client, partner, body)).status_code == 200

    async def test_uuid_reused_with_another_request_is_409(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = request_body()
        assert (await call(client, partner, body)).status_code == 200
        other = copy.deepcopy(body)
        other["player"]["nickname"] = "someone"
        assert_error(await call(client, partner, other), 409, "V.18")

    @pytest.mark.parametrize(
        ("content", "content_type", "status"),
        [
            (b"{", "application/json", 400),
            (b"[1]", "application/json", 400),
            (b'{"uuid": "\xff"}', "application/json", 400),
            (b"uuid=1", "text/plain", 415),
        ],
    )
    async def test_unreadable_bodies(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        content: bytes,
        content_type: str,
        status: int,
    ) -> None:
        response = await client.post(
            "/api/session",
            params={"MEMB_ID": partner.id, "HASH": partner.token},
            content=content,
            headers={"Content-Type": content_type},
        )
        assert_error(response, status, "V.1")

    async def test_huge_body(self, client: httpx.AsyncClient, partner: PartnerFixture) -> None:
        body = request_body(padding="x" * 70_000)
        assert_error(await call(client, partner, body), 413, "V.1")


async def test_uuid_replay_window_is_the_deployments_setting(database_url: str) -> None:
    from portero.app import create_app
    from tests.conftest import PUBLIC_URL, make_settings, running

    app = create_app(make_settings(database_url, idempotency_window_seconds=0))
    async with running(app) as runtime:
        partner = await make_partner(runtime.sessions, products=["roulette"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            body = request_body()
            first = await call(client, partner, body)
            again = await call(client, partner, body)
    assert first.status_code == again.status_code == 200
    assert first.json()["url"] != again.json()["url"]  # past the window: a new request
