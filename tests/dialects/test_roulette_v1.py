"""Seed 000 (roulette sessions): every documented body, byte for byte, and its checks' order."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches.models import Launch
from portero.partners import service as partners
from portero.partners.models import PartnerStatus
from tests.support.factories import PartnerFixture, make_partner

ENDPOINTS = ("/1.0/request_session", "/1.0/request/session")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def error(code: Any, description: str, key: str = "code") -> dict[str, Any]:
    return {"status": "ERROR", key: code, "description": description}


def params(partner: PartnerFixture, **changes: Any) -> dict[str, Any]:
    values = {
        "TokenId": partner.token,
        "ClientId": partner.id,
        "UserId": 238,
        "UserName": "estarly93",
        "UserEmail": "estarly@example.com",
    }
    return {k: v for k, v in (values | changes).items() if v is not None}


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, products=["roulette"])


async def post(client: httpx.AsyncClient, data: dict[str, Any], path: str = ENDPOINTS[0]) -> Any:
    response = await client.post(path, data={k: str(v) for k, v in data.items()})
    assert response.status_code == 200, response.text
    return response.json()


class TestSuccess:
    @pytest.mark.parametrize("path", ENDPOINTS)
    async def test_form_params_answer_the_documented_body(
        self, client: httpx.AsyncClient, partner: PartnerFixture, path: str
    ) -> None:
        body = await post(client, params(partner), path)
        assert list(body) == ["status", "code", "url"]
        assert body["status"] == "OK"
        assert body["code"] == 200
        assert re.fullmatch(rf"http://portero\.test/1\.0/request/accepted/{UUID}", body["url"])

    async def test_json_and_multipart_are_accepted_too(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        as_json = await client.post(ENDPOINTS[1], json=params(partner))
        assert as_json.json()["status"] == "OK"
        fields = {k: (None, str(v)) for k, v in params(partner).items()}
        multipart = await client.post(ENDPOINTS[1], files=fields)
        assert multipart.json()["status"] == "OK"

    async def test_the_launch_is_visible_through_the_native_api(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        await post(client, params(partner, UserId="p-native"))
        listed = (await client.get("/v1/launches?player_id=p-native", headers=partner.auth)).json()
        found = [(launch["product"], launch["source"]) for launch in listed["data"]]
        assert found == [("roulette", "roulette_v1")]
        assert listed["data"][0]["player"]["nickname"] == "estarly93"
        assert listed["data"][0]["player"]["email"] == "estarly@example.com"
        assert "/1.0/request/accepted/" in listed["data"][0]["url"]


class TestErrors:
    @pytest.mark.parametrize(
        ("missing", "code"),
        [
            ("TokenId", 501),
            ("ClientId", 502),
            ("UserId", 503),
            ("UserName", 504),
            ("UserEmail", 505),
        ],
    )
    @pytest.mark.parametrize("how", ["absent", "blank"])
    async def test_missing_parameters_in_the_documented_order(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        missing: str,
        code: int,
        how: str,
    ) -> None:
        names = ["TokenId", "ClientId", "UserId", "UserName", "UserEmail"]
        later = dict.fromkeys(names[names.index(missing) + 1 :])  # also missing
        value = None if how == "absent" else "  "
        body = await post(client, params(partner, **{missing: value}, **later))
        assert body == error(code, f"{missing} is Required")

    @pytest.mark.parametrize(
        "change",
        [
            {"TokenId": "9b8c81ea-b9f3-4059-b73b-a41feee7cc65"},
            {"ClientId": 999999},
            {"ClientId": "abc"},
        ],
    )
    async def test_unknown_token_or_client_is_506(
        self, client: httpx.AsyncClient, partner: PartnerFixture, change: dict[str, Any]
    ) -> None:
        assert await post(client, params(partner, **change)) == error(
            506, "Invalid Id / Token of Client"
        )

    async def test_another_clients_token_is_506(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        other = await make_partner(sessions, products=["roulette"])
        body = await post(client, params(partner, TokenId=other.token))
        assert body == error(506, "Invalid Id / Token of Client")

    async def test_disabled_client_is_507(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        async with session_scope(sessions) as session:
            await partners.set_status(session, partner_id=partner.id, status=PartnerStatus.disabled)
        assert await post(client, params(partner)) == error(507, "Client Disabled")

    @pytest.mark.parametrize("products", [None, ["slot"]])
    async def test_unconfigured_or_no_roulette_is_508_with_a_string_code(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        products: list[str] | None,
    ) -> None:
        partner = await make_partner(sessions, configured=products is not None, products=products)
        body = await post(client, params(partner))
        assert body == {"status": "ERROR", "code": "508", "description": "Error Config Client"}

    @pytest.mark.parametrize(
        "change",
        [{"UserEmail": "estarly"}, {"UserName": "n" * 101}, {"UserId": "x" * 129}],
    )
    async def test_user_that_cannot_be_registered_is_509(
        self, client: httpx.AsyncClient, partner: PartnerFixture, change: dict[str, Any]
    ) -> None:
        assert await post(client, params(partner, **change)) == error(509, "Error Create User")

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            (b"{not json", "application/json"),
            (b"\xff\xfe", "application/x-www-form-urlencoded"),
            (b"TokenId=x", "text/plain"),
            (b"[1,2]", "application/json"),
        ],
    )
    async def test_unreadable_bodies_carry_no_parameters(
        self, client: httpx.AsyncClient, content: bytes, content_type: str
    ) -> None:
        response = await client.post(
            ENDPOINTS[0], content=content, headers={"Content-Type": content_type}
        )
        assert response.status_code == 200
        assert response.json() == error(501, "TokenId is Required")

    async def test_huge_body_and_wrong_method(self, client: httpx.AsyncClient) -> None:
        huge = await client.post(ENDPOINTS[0], data={"TokenId": "x" * 70_000})
        assert huge.json() == error(501, "TokenId is Required")
        wrong = await client.get(ENDPOINTS[0])
        assert wrong.status_code == 405
        assert wrong.json() == error(405, "Method Not Allowed")
        assert wrong.headers["allow"] == "POST"


class TestAccepted:
    async def _url(self, client: httpx.AsyncClient, partner: PartnerFixture) -> str:
        url: str = (await post(client, params(partner)))["url"]
        return url

    async def test_first_visit_opens_the_roulette_view(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.get(await self._url(client, partner))
        assert response.status_code == 303
        assert re.match(r"/play/lnch_[0-9a-z]{26}#session=pss_", response.headers["location"])

    async def test_consumed_expired_and_unknown_sessions_answer_511(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        expected = {
            "status": "ERROR",
            "code_error": "511",
            "description": "Session Expired -  No Content",
        }
        json_accept = {"Accept": "application/json"}
        used = await self._url(client, partner)
        await client.get(used)
        expired = await self._url(client, partner)
        async with session_scope(sessions) as session:
            await session.execute(
                update(Launch)
                .values(expires_at=utcnow())
                .where(Launch.partner_id == partner.id, Launch.opened_at.is_(None))
            )
        unknown = "http://portero.test/1.0/request/accepted/dd5bbff0-f3bf-4644-a112-2b9057eb6c1b"
        for url in (used, expired, unknown):
            response = await client.get(url, headers=json_accept)
            assert (response.status_code, response.json()) == (200, expected)

    async def test_browsers_get_the_localised_page(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        url = await self._url(client, partner)
        await client.get(url)
        page = await client.get(url, headers={"Accept": "text/html", "Accept-Language": "es"})
        assert page.status_code == 409
        assert 'data-status="launch_already_used"' in page.text

    async def test_uppercase_uuid_is_the_same_link(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        url = await self._url(client, partner)
        prefix, token = url.rsplit("/", 1)
        assert (await client.get(f"{prefix}/{token.upper()}")).status_code == 303


async def test_without_a_database_the_view_is_510_and_registration_509() -> None:
    from portero.app import create_app
    from tests.conftest import PUBLIC_URL, make_settings, running

    app = create_app(
        make_settings("postgresql+asyncpg://postgres@127.0.0.1:9/none", db_pool_timeout_seconds=1)
    )
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            view = await client.get(
                "/1.0/request/accepted/dd5bbff0-f3bf-4644-a112-2b9057eb6c1b",
                headers={"Accept": "application/json"},
            )
            session = await client.post(
                ENDPOINTS[0],
                data={
                    "TokenId": "t",
                    "ClientId": "1",
                    "UserId": "1",
                    "UserName": "n",
                    "UserEmail": "a@example.com",
                },
            )
    assert (view.status_code, view.json()) == (
        200,
        {"status": "ERROR", "code_error": 510, "description": "Error Load Content"},
    )
    assert (session.status_code, session.json()) == (200, error(509, "Error Create User"))
