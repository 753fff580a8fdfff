"""Seed 002 (agent call links): the documented answers, every kind of field failure."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import directory as calls
from portero.kit.db import session_scope
from portero.partners import service as partners
from portero.partners.models import PartnerStatus
from tests.support.factories import PartnerFixture, make_partner

PATHS = (
    "/api/v1/access/external/cammer/generate-session",
    "/v1/access/external/cammer/generate-session",
)
XHR = {"X-Requested-With": "XMLHttpRequest"}
CODE = r"[0-9a-z]{3}-[0-9a-z]{3}-[0-9a-z]{3}-[0-9a-z]{2}"


def example(category_code: str) -> dict[str, Any]:
    """The document's example body."""
    return {
        "name": "Abraham",
        "email": "abraham@ocularsolution.com",
        "cellphone": "+584141315854",
        "categoryCode": category_code,
        "ticket": {
            "title": "Promoción del día del padre",
            "description": "20% de descuento en todos los productos",
        },
    }


def failed(detail: dict[str, list[str]]) -> dict[str, Any]:
    return {"statusCode": 2, "message": "Campos no cumplen", "detail": detail}


def required(field: str) -> list[str]:
    return [f"SessionLinkControllerValidator: {field} is required."]


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, products=["call"])


@pytest.fixture
async def codes(
    sessions: async_sessionmaker[AsyncSession], partner: PartnerFixture
) -> dict[str, str]:
    async with session_scope(sessions) as session:
        category = await calls.add_category(session, partner_id=partner.id, name="Ventas")
        agent, _ = await calls.add_agent(
            session, partner_id=partner.id, name="Ana", category_codes=[category.code]
        )
    return {"category": category.code, "agent": agent.code}


async def generate(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    body: Any,
    *,
    bearer: bool = False,
    path: str = PATHS[0],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    token = f"Bearer {partner.token}" if bearer else partner.token
    sent = {"Authorization": token} | (XHR if headers is None else headers)
    return await client.post(path, json=body, headers=sent)


class TestSuccess:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("bearer", [False, True])
    async def test_the_documented_example(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        codes: dict[str, str],
        path: str,
        bearer: bool,
    ) -> None:
        response = await generate(
            client, partner, example(codes["category"]), bearer=bearer, path=path
        )
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["statusCode", "message", "data"]
        assert (body["statusCode"], body["message"]) == (0, "Success")
        assert list(body["data"]) == ["link", "customer"]
        assert re.fullmatch(rf"http://portero\.test/session/{CODE}", body["data"]["link"])
        assert body["data"]["customer"] == {
            "name": "Abraham",
            "email": "abraham@ocularsolution.com",
            "cellphone": "+584141315854",
        }

    async def test_link_opens_and_launch_is_visible_natively(
        self, client: httpx.AsyncClient, partner: PartnerFixture, codes: dict[str, str]
    ) -> None:
        body = {
            "name": "Ana",
            "cellphone": "+34 600 123 456",
            "userCode": codes["agent"],
            "ticket": [{"title": "t1", "description": "d1"}],
        }
        link = (await generate(client, partner, body)).json()["data"]["link"]
        opened = await client.get(link)
        assert opened.status_code == 303
        launch = (await client.get("/v1/launches?product=call", headers=partner.auth)).json()
        found = launch["data"][0]
        assert found["source"] == "cammer"
        assert found["player"]["id"] == "+34600123456"
        assert found["params"] == {
            "agent_code": codes["agent"],
            "tickets": [{"title": "t1", "description": "d1"}],
        }

    async def test_neither_code_goes_to_any_agent(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await generate(client, partner, {"name": "A", "cellphone": "+584141315854"})
        assert response.json()["statusCode"] == 0
        assert response.json()["data"]["customer"]["email"] is None


class TestFieldFailures:
    async def test_documented_examples(
        self, client: httpx.AsyncClient, partner: PartnerFixture, codes: dict[str, str]
    ) -> None:
        body = example(codes["category"])
        del body["cellphone"]
        response = await generate(client, partner, body)
        assert response.status_code == 422
        assert response.json() == failed({"cellphone": required("cellphone")})
        body = example(codes["category"])
        del body["ticket"]["title"]
        assert (await generate(client, partner, body)).json() == failed(
            {"ticket.title": required("ticket.title")}
        )

    async def test_every_failing_field_is_reported(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = {
            "email": "nope",
            "cellphone": "12",
            "categoryCode": "a",
            "userCode": "b",
            "ticket": [{"title": "t"}, "x"],
        }
        response = await generate(client, partner, body, headers={})
        both = [
            "SessionLinkControllerValidator: categoryCode and userCode cannot be sent together."
        ]
        assert response.json() == failed(
            {
                "X-Requested-With": required("X-Requested-With"),
                "name": required("name"),
                "email": ["SessionLinkControllerValidator: email is invalid."],
                "cellphone": ["SessionLinkControllerValidator: cellphone is invalid."],
                "categoryCode": both,
                "userCode": both,
                "ticket": ["SessionLinkControllerValidator: ticket is invalid."],
            }
        )

    @pytest.mark.parametrize(("field", "value"), [("categoryCode", "nope"), ("userCode", "x")])
    async def test_unknown_codes(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        codes: dict[str, str],
        field: str,
        value: str,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        body = {"name": "A", "cellphone": "+584141315854", field: value}
        expected = failed({field: [f"SessionLinkControllerValidator: {field} does not exist."]})
        assert (await generate(client, partner, body)).json() == expected
        # Another partner's codes do not exist either.
        other = await make_partner(sessions, products=["call"])
        body[field] = codes["category" if field == "categoryCode" else "agent"]
        assert (await generate(client, other, body)).json() == expected

    @pytest.mark.parametrize(
        ("content", "content_type", "status"),
        [
            (b"{", "application/json", 400),
            (b"[]", "application/json", 400),
            (b"\xff", "application/json", 400),
            (b"name=x", "text/plain", 415),
            (b'{"name": "' + b"x" * 70_000 + b'"}', "application/json", 413),
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
            PATHS[0],
            content=content,
            headers={"Authorization": partner.token, "Content-Type": content_type} | XHR,
        )
        assert response.status_code == status
        assert response.json() == failed(
            {"body": ["SessionLinkControllerValidator: body is invalid."]}
        )


class TestAuthorization:
    async def test_missing_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post(PATHS[0], json={}, headers=XHR)
        assert response.status_code == 401
        assert response.json() == {"statusCode": 9, "message": "No Authorization token"}

    async def test_wrong_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post(PATHS[0], json={}, headers={"Authorization": "123456789"})
        assert response.status_code == 401
        assert response.json() == {"statusCode": 9, "message": "Invalid Authorization token"}

    async def test_disabled_or_not_configured_for_calls(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        slots_only = await make_partner(sessions, products=["slot"])
        response = await generate(client, slots_only, {})
        assert (response.status_code, response.json()["statusCode"]) == (403, 9)
        async with session_scope(sessions) as session:
            await partners.set_status(session, partner_id=partner.id, status=PartnerStatus.disabled)
        response = await generate(client, partner, {})
        assert response.json() == {"statusCode": 9, "message": "Account disabled"}

    async def test_wrong_method(self, client: httpx.AsyncClient) -> None:
        response = await client.get(PATHS[0])
        assert response.status_code == 405
        assert response.json()["statusCode"] == 1
