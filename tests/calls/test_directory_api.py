"""The call product's native API: categories, agents, console links and call records, with
their errors and tenancy."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import ending, queue, routing
from portero.kit.clock import utcnow
from portero.settings import Settings
from tests.conftest import make_settings
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.factories import PartnerFixture, launch_body, make_partner

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No dispatcher: the call tests move the clock themselves.
    return make_settings(database_url, call_tick_seconds=0)


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, products=["call"])


@pytest.fixture
async def other(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, products=["call"])


def assert_error(
    response: httpx.Response, status: int, code: str, param: str | None = None
) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"type", "code", "message", "param"}
    assert (error["code"], error["param"]) == (code, param), error
    assert error["message"]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def new_category(
    client: httpx.AsyncClient, partner: PartnerFixture, name: str = "Ventas"
) -> dict[str, Any]:
    response = await client.post("/v1/call-categories", json={"name": name}, headers=partner.auth)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def new_agent(
    client: httpx.AsyncClient, partner: PartnerFixture, **body: Any
) -> dict[str, Any]:
    response = await client.post("/v1/agents", json={"name": "Ana"} | body, headers=partner.auth)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


class TestCategories:
    async def test_create_get_rename_and_list(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        before = utcnow()
        created = await new_category(client, partner, "  Ventas ")
        assert set(created) == {"object", "code", "name", "created_at"}
        assert created["object"] == "call_category"
        assert re.fullmatch(UUID, created["code"])
        assert created["name"] == "Ventas"
        assert before <= at(created["created_at"]) <= utcnow()
        path = f"/v1/call-categories/{created['code']}"
        assert (await client.get(path, headers=partner.auth)).json() == created
        renamed = await client.patch(path, json={"name": "Soporte"}, headers=partner.auth)
        assert renamed.status_code == 200
        assert renamed.json() == created | {"name": "Soporte"}
        listed = (await client.get("/v1/call-categories", headers=partner.auth)).json()
        assert listed == {
            "object": "list",
            "url": "/v1/call-categories",
            "data": [created | {"name": "Soporte"}],
            "has_more": False,
        }

    async def test_an_empty_patch_changes_nothing(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        created = await new_category(client, partner)
        path = f"/v1/call-categories/{created['code']}"
        assert (await client.patch(path, json={}, headers=partner.auth)).json() == created

    async def test_pages_walk_every_category_once_newest_first(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        codes = [(await new_category(client, partner, f"C{i}"))["code"] for i in range(5)]
        seen: list[str] = []
        query: dict[str, Any] = {"limit": 2}
        while True:
            page = (
                await client.get("/v1/call-categories", params=query, headers=partner.auth)
            ).json()
            seen += [c["code"] for c in page["data"]]
            if not page["has_more"]:
                break
            query["starting_after"] = seen[-1]
        assert seen == codes[::-1]

    @pytest.mark.parametrize(
        ("body", "code", "param"),
        [
            ({}, "parameter_missing", "name"),
            ({"name": "  "}, "parameter_invalid", "name"),
            ({"name": "x" * 201}, "parameter_too_long", "name"),
            ({"name": "a\x00b"}, "parameter_invalid", "name"),
            ({"name": "A", "colour": "red"}, "parameter_unknown", "colour"),
        ],
    )
    async def test_invalid_bodies_name_the_field(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        body: dict[str, Any],
        code: str,
        param: str,
    ) -> None:
        response = await client.post("/v1/call-categories", json=body, headers=partner.auth)
        assert_error(response, 400, code, param)

    async def test_null_name_and_wrong_bodies_are_refused(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        created = await new_category(client, partner)
        path = f"/v1/call-categories/{created['code']}"
        response = await client.patch(path, json={"name": None}, headers=partner.auth)
        assert_error(response, 400, "parameter_invalid", "name")
        form = await client.patch(path, data={"name": "x"}, headers=partner.auth)
        assert_error(form, 415, "unsupported_media_type")
        garbage = await client.post(
            "/v1/call-categories",
            content=b"{",
            headers=partner.auth | {"Content-Type": "application/json"},
        )
        assert_error(garbage, 400, "body_malformed")

    async def test_unknown_codes_and_cursors(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        for code in (NOBODY, "nope", "a%00b"):
            path = f"/v1/call-categories/{code}"
            assert_error(await client.get(path, headers=partner.auth), 404, "resource_missing")
            patched = await client.patch(path, json={"name": "X"}, headers=partner.auth)
            assert_error(patched, 404, "resource_missing")
        listed = await client.get(
            "/v1/call-categories", params={"starting_after": NOBODY}, headers=partner.auth
        )
        assert_error(listed, 400, "parameter_invalid", "starting_after")
        typo = await client.get("/v1/call-categories", params={"limt": 2}, headers=partner.auth)
        assert_error(typo, 400, "parameter_unknown", "limt")
        too_many = await client.get(
            "/v1/call-categories", params={"limit": 101}, headers=partner.auth
        )
        assert_error(too_many, 400, "parameter_invalid", "limit")


class TestAgents:
    async def test_create_with_categories_and_capacity(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        sales, support = [await new_category(client, partner, n) for n in ("Ventas", "Soporte")]
        agent = await new_agent(
            client,
            partner,
            name=" Ana ",
            categories=[sales["code"], support["code"].upper(), sales["code"]],
            capacity=3,
        )
        assert set(agent) == {
            "object",
            "code",
            "name",
            "categories",
            "capacity",
            "presence",
            "created_at",
        }
        assert agent["object"] == "agent"
        assert re.fullmatch(UUID, agent["code"])
        assert agent["name"] == "Ana"
        assert agent["categories"] == [sales["code"], support["code"]]
        assert (agent["capacity"], agent["presence"]) == (3, "offline")
        path = f"/v1/agents/{agent['code']}"
        assert (await client.get(path, headers=partner.auth)).json() == agent

    async def test_defaults(self, client: httpx.AsyncClient, partner: PartnerFixture) -> None:
        agent = await new_agent(client, partner)
        assert (agent["categories"], agent["capacity"]) == ([], 1)

    @pytest.mark.parametrize(
        ("body", "code", "param"),
        [
            ({"name": "Ana", "capacity": 0}, "parameter_invalid", "capacity"),
            ({"name": "Ana", "capacity": 11}, "parameter_invalid", "capacity"),
            ({"name": "Ana", "capacity": "2"}, "parameter_invalid", "capacity"),
            ({"name": "Ana", "categories": "abc"}, "parameter_invalid", "categories"),
            ({"name": "Ana", "categories": [""]}, "parameter_invalid", "categories.0"),
            ({"capacity": 2}, "parameter_missing", "name"),
            ({"name": "Ana", "presence": "available"}, "parameter_unknown", "presence"),
        ],
    )
    async def test_invalid_bodies_name_the_field(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        body: dict[str, Any],
        code: str,
        param: str,
    ) -> None:
        response = await client.post("/v1/agents", json=body, headers=partner.auth)
        assert_error(response, 400, code, param)

    async def test_unknown_or_foreign_categories_are_refused_by_position(
        self, client: httpx.AsyncClient, partner: PartnerFixture, other: PartnerFixture
    ) -> None:
        mine = await new_category(client, partner)
        theirs = await new_category(client, other)
        for wrong in (NOBODY, "nope", theirs["code"]):
            body = {"name": "Ana", "categories": [mine["code"], wrong]}
            response = await client.post("/v1/agents", json=body, headers=partner.auth)
            assert_error(response, 400, "parameter_invalid", "categories.1")
        listed = (await client.get("/v1/agents", headers=partner.auth)).json()
        assert listed["data"] == []  # nothing was created

    async def test_update_replaces_what_is_given(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        sales, support = [await new_category(client, partner, n) for n in ("Ventas", "Soporte")]
        agent = await new_agent(client, partner, categories=[sales["code"]])
        path = f"/v1/agents/{agent['code']}"

        async def patch(body: dict[str, Any]) -> dict[str, Any]:
            response = await client.patch(path, json=body, headers=partner.auth)
            assert response.status_code == 200, response.text
            changed: dict[str, Any] = response.json()
            return changed

        assert await patch({"capacity": 4}) == agent | {"capacity": 4}
        assert await patch({"name": "Ana María"}) == agent | {"capacity": 4, "name": "Ana María"}
        moved = await patch({"categories": [support["code"]]})
        assert moved["categories"] == [support["code"]]
        assert (await patch({"categories": []}))["categories"] == []
        assert (await client.get(path, headers=partner.auth)).json() == moved | {"categories": []}
        refused = await client.patch(
            path, json={"categories": [sales["code"], NOBODY]}, headers=partner.auth
        )
        assert_error(refused, 400, "parameter_invalid", "categories.1")
        for body, param in (({"capacity": 0}, "capacity"), ({"name": None}, "name")):
            response = await client.patch(path, json=body, headers=partner.auth)
            assert_error(response, 400, "parameter_invalid", param)
        assert (await client.get(path, headers=partner.auth)).json()["capacity"] == 4

    async def test_list_filters_by_category_and_presence(self, desk: CallDesk) -> None:
        client, partner = desk.client, desk.partner
        sales = await new_category(client, partner)
        ana = await new_agent(client, partner, name="Ana", categories=[sales["code"]])
        bea = await desk.agent("Bea")  # signed in: available

        async def names(**query: str) -> list[str]:
            response = await client.get("/v1/agents", params=query, headers=partner.auth)
            assert response.status_code == 200, response.text
            return [a["name"] for a in response.json()["data"]]

        assert await names() == ["Bea", "Ana"]
        assert await names(category=sales["code"]) == ["Ana"]
        assert await names(category=NOBODY) == []
        assert await names(presence="available") == ["Bea"]
        assert await names(presence="offline") == ["Ana"]
        assert await names(limit="1", starting_after=bea.code) == ["Ana"]
        assert await names(limit="1") == ["Bea"]
        assert ana["code"] != bea.code
        bad = await client.get("/v1/agents", params={"presence": "away"}, headers=partner.auth)
        assert_error(bad, 400, "parameter_unsupported", "presence")
        typo = await client.get("/v1/agents", params={"categry": "x"}, headers=partner.auth)
        assert_error(typo, 400, "parameter_unknown", "categry")

    async def test_unknown_agents_are_404(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        for code in (NOBODY, "nope"):
            path = f"/v1/agents/{code}"
            assert_error(await client.get(path, headers=partner.auth), 404, "resource_missing")
            patched = await client.patch(path, json={"capacity": 2}, headers=partner.auth)
            assert_error(patched, 404, "resource_missing")
            link = await client.post(f"{path}/console-links", headers=partner.auth)
            assert_error(link, 404, "resource_missing")


class TestTenancyAndAuthentication:
    async def test_a_partner_never_sees_another_partners_directory(
        self, client: httpx.AsyncClient, partner: PartnerFixture, other: PartnerFixture
    ) -> None:
        category = await new_category(client, other)
        agent = await new_agent(client, other, categories=[category["code"]])
        for path in (f"/v1/call-categories/{category['code']}", f"/v1/agents/{agent['code']}"):
            assert_error(await client.get(path, headers=partner.auth), 404, "resource_missing")
            patched = await client.patch(path, json={"name": "Mine"}, headers=partner.auth)
            assert_error(patched, 404, "resource_missing")
        link = await client.post(f"/v1/agents/{agent['code']}/console-links", headers=partner.auth)
        assert_error(link, 404, "resource_missing")
        for path in ("/v1/call-categories", "/v1/agents", "/v1/calls"):
            assert (await client.get(path, headers=partner.auth)).json()["data"] == []
        listed = await client.get(
            "/v1/agents", params={"category": category["code"]}, headers=partner.auth
        )
        assert listed.json()["data"] == []
        # The other partner's data is untouched.
        again = await client.get(f"/v1/agents/{agent['code']}", headers=other.auth)
        assert again.json() == agent

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/v1/call-categories"),
            ("GET", "/v1/call-categories"),
            ("GET", f"/v1/call-categories/{NOBODY}"),
            ("PATCH", f"/v1/call-categories/{NOBODY}"),
            ("POST", "/v1/agents"),
            ("GET", "/v1/agents"),
            ("GET", f"/v1/agents/{NOBODY}"),
            ("PATCH", f"/v1/agents/{NOBODY}"),
            ("POST", f"/v1/agents/{NOBODY}/console-links"),
            ("GET", "/v1/calls"),
            ("GET", "/v1/calls/call_00000000000000000000000000"),
        ],
    )
    async def test_every_endpoint_needs_a_partner_token(
        self, client: httpx.AsyncClient, method: str, path: str
    ) -> None:
        for headers in ({}, {"Authorization": "Bearer prt_nope"}):
            response = await client.request(method, path, json={"name": "x"}, headers=headers)
            assert_error(response, 401, "authentication_failed")
            assert response.headers["www-authenticate"].startswith("Bearer")


class TestConsoleLinks:
    async def test_a_console_link_opens_once(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        agent = await new_agent(client, partner)
        response = await client.post(
            f"/v1/agents/{agent['code']}/console-links", headers=partner.auth
        )
        assert response.status_code == 201, response.text
        link = response.json()
        assert set(link) == {"object", "launch_id", "agent", "url", "expires_at"}
        assert (link["object"], link["agent"]) == ("console_link", agent["code"])
        assert link["launch_id"].startswith("lnch_")
        assert link["url"].startswith("http://portero.test/launch/")
        first = await client.get(link["url"])
        assert first.status_code == 303
        assert re.fullmatch(r"/play/lnch_[0-9a-z]{26}#session=.+", first.headers["location"])
        assert first.headers["location"].startswith(f"/play/{link['launch_id']}#")
        second = await client.get(link["url"])
        assert second.status_code == 409
        launch = await client.get(f"/v1/launches/{link['launch_id']}", headers=partner.auth)
        assert (launch.json()["product"], launch.json()["status"]) == ("console", "opened")
        assert launch.json()["params"] == {"agent_code": agent["code"]}

    async def test_expires_in(self, client: httpx.AsyncClient, partner: PartnerFixture) -> None:
        agent = await new_agent(client, partner)
        path = f"/v1/agents/{agent['code']}/console-links"
        before = utcnow()
        response = await client.post(path, json={"expires_in": 60}, headers=partner.auth)
        assert response.status_code == 201, response.text
        expires_at = at(response.json()["expires_at"])
        assert before + timedelta(seconds=59) <= expires_at <= utcnow() + timedelta(seconds=61)
        for body, code in (
            ({"expires_in": 5}, "parameter_invalid"),
            ({"expires_in": "60"}, "parameter_invalid"),
            ({"expiry": 60}, "parameter_unknown"),
        ):
            refused = await client.post(path, json=body, headers=partner.auth)
            param = "expires_in" if "expires_in" in body else "expiry"
            assert_error(refused, 400, code, param)

    async def test_only_partners_with_the_call_product(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        agent = await new_agent(client, partner)
        roulette_only = await make_partner(sessions, products=["roulette"])
        for code in (agent["code"], NOBODY):  # refused before saying whether the agent exists
            path = f"/v1/agents/{code}/console-links"
            response = await client.post(path, headers=roulette_only.auth)
            assert_error(response, 403, "product_not_allowed")
        unconfigured = await make_partner(sessions, configured=False)
        response = await client.post(
            f"/v1/agents/{agent['code']}/console-links", headers=unconfigured.auth
        )
        assert_error(response, 403, "partner_not_configured")

    async def test_launches_refuse_the_console_product(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body("console", params={"agent_code": NOBODY})
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert_error(response, 400, "parameter_unsupported", "product")
        assert "console-links" in response.json()["error"]["message"]


async def answer(desk: CallDesk, agent_id: int, call_id: str) -> None:
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=agent_id, call_id=call_id, now=desk.now)
    )


async def reject(desk: CallDesk, agent_id: int, call_id: str) -> None:
    await desk.run(
        lambda s, o: routing.decline(
            s, o, agent_id=agent_id, call_id=call_id, now=desk.now, timings=TIMINGS
        )
    )


async def hang_up(desk: CallDesk, call_id: str, by: str) -> None:
    assert await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by=by))


class TestCallRecords:
    async def test_an_answered_call_is_recorded_end_to_end(self, desk: CallDesk) -> None:
        client, auth = desk.client, desk.partner.auth
        desk.now = desk.now.replace(microsecond=0)
        t0 = desk.now
        ana = await desk.agent("Ana")
        launch = await desk.customer_link("Abraham", agent_code=ana.code)
        call_id = await desk.join(launch)
        ringing = (await client.get(f"/v1/calls/{call_id}", headers=auth)).json()
        assert ringing["status"] == "ringing"
        assert ringing["agent"] == {"code": ana.code, "name": "Ana"}
        assert ringing["offers"] == [
            {"agent": ana.code, "offered_at": ringing["offered_at"], "answered_at": None,
             "outcome": None}
        ]  # fmt: skip
        desk.later(3)
        await answer(desk, ana.id, call_id)
        desk.later(90)
        await hang_up(desk, call_id, by="agent")
        call = (await client.get(f"/v1/calls/{call_id}", headers=auth)).json()
        assert call["object"] == "call"
        assert call["id"] == call_id
        assert call["status"] == "completed"
        assert call["launch_id"] == launch["id"]
        assert call["customer"] == {
            "id": launch["player"]["id"],
            "name": "Abraham",
            "cellphone": "+584141315854",
            "email": "estarly@example.com",
        }
        assert call["target"] == {"agent": ana.code, "category": None}
        assert call["agent"] == {"code": ana.code, "name": "Ana"}
        assert call["tickets"] == [{"title": "Pedido", "description": "Cambiar talla"}]
        assert at(call["created_at"]) == at(call["offered_at"]) == t0
        assert at(call["answered_at"]) == t0 + timedelta(seconds=3)
        assert at(call["ended_at"]) == t0 + timedelta(seconds=93)
        assert (call["ended_by"], call["duration_seconds"]) == ("agent", 90)
        [offer] = call["offers"]
        assert (offer["agent"], offer["outcome"]) == (ana.code, "accepted")
        assert at(offer["answered_at"]) == t0 + timedelta(seconds=3)
        listed = (await client.get("/v1/calls", headers=auth)).json()
        assert listed == {"object": "list", "url": "/v1/calls", "data": [call], "has_more": False}

    async def test_a_rejected_offer_moves_on_and_both_offers_are_kept(self, desk: CallDesk) -> None:
        desk.now = desk.now.replace(microsecond=0)
        t0 = desk.now
        sales = await desk.category()
        ana = await desk.agent("Ana", sales)  # idle longest: offered first
        desk.later(1)
        bea = await desk.agent("Bea", sales)
        desk.later(1)
        call_id = await desk.customer(category_code=sales)
        desk.later(3)
        await reject(desk, ana.id, call_id)
        desk.later(2)
        await answer(desk, bea.id, call_id)
        desk.later(30)
        await hang_up(desk, call_id, by="customer")
        call = (await desk.client.get(f"/v1/calls/{call_id}", headers=desk.partner.auth)).json()
        assert call["target"] == {"agent": None, "category": sales}
        assert call["agent"] == {"code": bea.code, "name": "Bea"}
        assert at(call["offered_at"]) == t0 + timedelta(seconds=2)  # when it first rang
        assert (call["ended_by"], call["duration_seconds"]) == ("customer", 30)
        assert [(o["agent"], o["outcome"]) for o in call["offers"]] == [
            (ana.code, "rejected"),
            (bea.code, "accepted"),
        ]
        assert [at(o["offered_at"]) for o in call["offers"]] == [
            t0 + timedelta(seconds=2),
            t0 + timedelta(seconds=5),
        ]

    async def test_a_call_nobody_answered(self, desk: CallDesk) -> None:
        desk.now = desk.now.replace(microsecond=0)
        t0 = desk.now
        call_id = await desk.customer()
        desk.later(12)
        await desk.run(lambda s, o: queue.leave(s, o, call_id=call_id, now=desk.now))
        call = (await desk.client.get(f"/v1/calls/{call_id}", headers=desk.partner.auth)).json()
        assert call["status"] == "abandoned"
        assert call["target"] == {"agent": None, "category": None}
        assert (call["agent"], call["offers"], call["offered_at"]) == (None, [], None)
        assert (call["answered_at"], call["duration_seconds"]) == (None, None)
        assert (call["ended_by"], at(call["ended_at"])) == ("customer", t0 + timedelta(seconds=12))

    async def test_filters_pages_and_errors(self, desk: CallDesk, other: PartnerFixture) -> None:
        client, auth = desk.client, desk.partner.auth
        ana = await desk.agent("Ana")
        bea = await desk.agent("Bea", available=False)
        answered = await desk.customer(agent_code=ana.code)
        await answer(desk, ana.id, answered)
        for_bea = await desk.customer(agent_code=bea.code)
        waiting = await desk.customer()

        async def ids(**query: str) -> list[str]:
            response = await client.get("/v1/calls", params=query, headers=auth)
            assert response.status_code == 200, response.text
            return [c["id"] for c in response.json()["data"]]

        assert await ids() == [waiting, for_bea, answered]
        assert await ids(status="connected") == [answered]
        assert await ids(status="waiting") == [waiting, for_bea]
        assert await ids(status="completed") == []
        assert await ids(agent=ana.code) == [answered]
        assert await ids(agent=bea.code) == [for_bea]
        assert await ids(agent=NOBODY) == [] == await ids(agent="nope")
        first = (await client.get("/v1/calls", params={"limit": 2}, headers=auth)).json()
        assert [c["id"] for c in first["data"]] == [waiting, for_bea]
        assert first["has_more"] is True
        assert await ids(limit="2", starting_after=for_bea) == [answered]
        for query, code, param in (
            ({"status": "lost"}, "parameter_unsupported", "status"),
            ({"starting_after": "lnch_x"}, "parameter_invalid", "starting_after"),
            ({"agnt": ana.code}, "parameter_unknown", "agnt"),
            ({"limit": "0"}, "parameter_invalid", "limit"),
        ):
            response = await client.get("/v1/calls", params=query, headers=auth)
            assert_error(response, 400, code, param)
        for unknown in ("call_00000000000000000000000000", "nope", "a%00b"):
            response = await client.get(f"/v1/calls/{unknown}", headers=auth)
            assert_error(response, 404, "resource_missing")
        # Another partner sees none of them, not even through its own agent filter.
        foreign = await client.get(f"/v1/calls/{answered}", headers=other.auth)
        assert_error(foreign, 404, "resource_missing")
        assert (await client.get("/v1/calls", headers=other.auth)).json()["data"] == []
        theirs = await client.get("/v1/calls", params={"agent": ana.code}, headers=other.auth)
        assert theirs.json()["data"] == []


async def test_the_openapi_description_declares_the_call_endpoints(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    expected = {
        ("/v1/call-categories", "post"): "CategoryCreate",
        ("/v1/call-categories", "get"): None,
        ("/v1/call-categories/{code}", "get"): None,
        ("/v1/call-categories/{code}", "patch"): "CategoryUpdate",
        ("/v1/agents", "post"): "AgentCreate",
        ("/v1/agents", "get"): None,
        ("/v1/agents/{code}", "get"): None,
        ("/v1/agents/{code}", "patch"): "AgentUpdate",
        ("/v1/agents/{code}/console-links", "post"): "ConsoleLinkCreate",
        ("/v1/calls", "get"): None,
        ("/v1/calls/{call_id}", "get"): None,
    }
    for (path, method), body in expected.items():
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"PartnerToken": []}]
        assert {"401", "500", "503"} <= set(operation["responses"]), (path, method)
        if body is not None:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == f"#/components/schemas/{body}"
            assert body in components
    console = schema["paths"]["/v1/agents/{code}/console-links"]["post"]
    assert console["requestBody"]["required"] is False
    assert {"CallOut", "AgentOut", "CategoryOut", "ConsoleLinkOut"} <= set(components)
