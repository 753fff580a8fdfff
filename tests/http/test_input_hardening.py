"""Input that once reached a 500, and text that could pass for someone else's: each API answers
them with its own documented codes (docs/security.md, "Input hardening")."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import directory as calls
from portero.kit.db import session_scope
from tests.support.factories import PartnerFixture, launch_body, make_partner

DEEP_JSON = "[" * 20_000 + "]" * 20_000  # under 64 KiB, deeper than any JSON parser recurses
EXOTIC_IDS = ["²", "\u0663", "9" * 5000, "9" * 19]
BIDI = "Ana\u202e"  # a right-to-left override: "Ana" followed by reversed text
INVISIBLE = "A\u200bna"  # a zero width space: looks like "Ana"
EMOJI = "👩\u200d💻 Ana"  # a ZWJ sequence: allowed
PERSIAN = "می\u200cشود"  # ZWNJ between Arabic letters: allowed
SEED_002 = "/api/v1/access/external/cammer/generate-session"
XHR = {"X-Requested-With": "XMLHttpRequest"}


def as_json(body: Any) -> dict[str, Any]:
    """The body as raw JSON (lone surrogates escaped, as a client may send them)."""
    return {"content": json.dumps(body), "headers": {"Content-Type": "application/json"}}


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


class TestSeed000:
    @staticmethod
    def params(partner: PartnerFixture, **changes: Any) -> dict[str, Any]:
        base = {"TokenId": partner.token, "ClientId": str(partner.id), "UserId": "238"}
        return base | {"UserName": "estarly93", "UserEmail": "estarly@example.com"} | changes

    async def test_deeply_nested_json_is_a_body_that_cannot_be_read(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/1.0/request_session",
            content=DEEP_JSON,
            headers={"Content-Type": "application/json"},
        )
        assert (response.status_code, response.json()["code"]) == (200, 501)

    @pytest.mark.parametrize("client_id", EXOTIC_IDS)
    async def test_exotic_client_ids_are_506(
        self, client: httpx.AsyncClient, partner: PartnerFixture, client_id: str
    ) -> None:
        response = await client.post(
            "/1.0/request_session", data=self.params(partner, ClientId=client_id)
        )
        assert response.json() == {
            "status": "ERROR",
            "code": 506,
            "description": "Invalid Id / Token of Client",
        }

    async def test_a_lone_surrogate_token_is_506(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = self.params(partner, TokenId="prt_\ud800")
        response = await client.post("/1.0/request_session", **as_json(body))
        assert response.json()["code"] == 506

    @pytest.mark.parametrize("name", [BIDI, INVISIBLE, "Ana\ud800"])
    async def test_a_name_that_displays_as_another_is_509(
        self, client: httpx.AsyncClient, partner: PartnerFixture, name: str
    ) -> None:
        body = self.params(partner, UserName=name)
        response = await client.post("/1.0/request_session", **as_json(body))
        assert response.json() == {
            "status": "ERROR",
            "code": 509,
            "description": "Error Create User",
        }

    async def test_an_emoji_sequence_is_a_name(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = self.params(partner, UserName=EMOJI)
        assert (await client.post("/1.0/request_session", **as_json(body))).json()["code"] == 200


class TestSeed001:
    @staticmethod
    def body(**player: Any) -> dict[str, Any]:
        return {
            "uuid": str(uuid.uuid4()),
            "gametype": "table",
            "gameid": "roulette",
            "player": {
                "id": "238",
                "nickname": "estarly93",
                "language": "en",
                "currency": "EUR",
                "session": {"id": "s1", "ip": "203.0.113.7"},
            }
            | player,
        }

    @staticmethod
    async def call(
        client: httpx.AsyncClient, partner: PartnerFixture, body: Any, member: str | None = None
    ) -> tuple[int, str | None]:
        query = {"MEMB_ID": member or str(partner.id), "HASH": partner.token}
        response = await client.post("/api/session", params=query, **as_json(body))
        errors = response.json().get("errors")
        return response.status_code, errors["code"] if errors else None

    @pytest.mark.parametrize("member", EXOTIC_IDS)
    async def test_exotic_member_ids_are_g0(
        self, client: httpx.AsyncClient, partner: PartnerFixture, member: str
    ) -> None:
        assert await self.call(client, partner, self.body(), member) == (401, "G.0")

    @pytest.mark.parametrize("nickname", ["   ", "\u3000", " \t "])
    async def test_a_blank_nickname_is_v4(
        self, client: httpx.AsyncClient, partner: PartnerFixture, nickname: str
    ) -> None:
        """V.4, "missing or empty": the request cannot succeed, so never G.01 ("retry")."""
        assert await self.call(client, partner, self.body(nickname=nickname)) == (400, "V.4")

    @pytest.mark.parametrize("nickname", [BIDI, INVISIBLE])
    async def test_a_nickname_that_displays_as_another_is_v5(
        self, client: httpx.AsyncClient, partner: PartnerFixture, nickname: str
    ) -> None:
        assert await self.call(client, partner, self.body(nickname=nickname)) == (400, "V.5")

    @pytest.mark.parametrize("nickname", [EMOJI, PERSIAN])
    async def test_joiners_where_text_needs_them_pass(
        self, client: httpx.AsyncClient, partner: PartnerFixture, nickname: str
    ) -> None:
        assert await self.call(client, partner, self.body(nickname=nickname)) == (200, None)


class TestSeed002:
    @staticmethod
    async def generate(
        client: httpx.AsyncClient, partner: PartnerFixture, body: Any
    ) -> httpx.Response:
        headers = {"Authorization": partner.token, "Content-Type": "application/json"} | XHR
        raw = body if isinstance(body, str) else json.dumps(body)
        return await client.post(SEED_002, content=raw, headers=headers)

    @staticmethod
    def body(**changes: Any) -> dict[str, Any]:
        return {"name": "Abraham", "cellphone": "+584141315854"} | changes

    async def test_deeply_nested_json_is_a_body_that_cannot_be_read(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await self.generate(client, partner, DEEP_JSON)
        assert response.status_code == 400
        assert response.json()["detail"] == {
            "body": ["SessionLinkControllerValidator: body is invalid."]
        }

    async def test_more_than_ten_tickets_is_a_field_failure(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        ticket = {"title": "Promoción", "description": "20%"}
        response = await self.generate(client, partner, self.body(ticket=[ticket] * 11))
        assert response.status_code == 422
        assert response.json() == {
            "statusCode": 2,
            "message": "Campos no cumplen",
            "detail": {"ticket": ["SessionLinkControllerValidator: ticket is too long."]},
        }
        ten = await self.generate(client, partner, self.body(ticket=[ticket] * 10))
        assert ten.json()["statusCode"] == 0

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": BIDI}, "name"),
            ({"name": INVISIBLE}, "name"),
            ({"name": "Abraham\ud800"}, "name"),
            ({"categoryCode": "\udc80"}, "categoryCode"),
            ({"ticket": {"title": INVISIBLE, "description": "d"}}, "ticket.title"),
            ({"ticket": [{"title": "t", "description": BIDI}]}, "ticket.0.description"),
        ],
    )
    async def test_text_that_displays_as_another_is_invalid(
        self, client: httpx.AsyncClient, partner: PartnerFixture, body: dict[str, Any], field: str
    ) -> None:
        response = await self.generate(client, partner, self.body(**body))
        assert response.status_code == 422
        assert response.json()["detail"] == {
            field: [f"SessionLinkControllerValidator: {field} is invalid."]
        }

    async def test_joiners_where_text_needs_them_pass(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        ticket = {"title": EMOJI, "description": PERSIAN}
        response = await self.generate(client, partner, self.body(name=EMOJI, ticket=ticket))
        assert response.json()["statusCode"] == 0
        assert response.json()["data"]["customer"]["name"] == EMOJI


class TestNative:
    @pytest.mark.parametrize(
        ("change", "param"),
        [
            ({"name": BIDI}, "player.name"),
            ({"nickname": INVISIBLE}, "player.nickname"),
            ({"nickname": "\u2066Ana\u2069"}, "player.nickname"),
        ],
    )
    async def test_player_names_that_display_as_another_are_refused(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        change: dict[str, str],
        param: str,
    ) -> None:
        body = launch_body()
        body["player"] |= change
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["param"]) == ("parameter_invalid", param)

    async def test_call_tickets_that_display_as_another_are_refused(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        tickets = [{"title": "Promoción", "description": BIDI}]
        body = launch_body("call", params={"tickets": tickets})
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "params.tickets.0.description"

    @pytest.mark.parametrize("path", ["/v1/call-categories", "/v1/agents"])
    async def test_directory_names_that_display_as_another_are_refused(
        self, client: httpx.AsyncClient, partner: PartnerFixture, path: str
    ) -> None:
        response = await client.post(path, json={"name": INVISIBLE}, headers=partner.auth)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "name"
        assert (await client.post(path, json={"name": EMOJI}, headers=partner.auth)).is_success

    async def test_joiners_where_text_needs_them_pass(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body()
        body["player"] |= {"name": PERSIAN, "nickname": EMOJI}
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert response.status_code == 201, response.text
        assert response.json()["player"]["nickname"] == EMOJI

    async def test_an_agent_renamed_into_a_lookalike_is_refused(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        partner: PartnerFixture,
    ) -> None:
        async with session_scope(sessions) as session:
            agent, _ = await calls.add_agent(session, partner_id=partner.id, name="Ana")
        response = await client.patch(
            f"/v1/agents/{agent.code}", json={"name": BIDI}, headers=partner.auth
        )
        assert response.status_code == 400
