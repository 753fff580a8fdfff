"""The native API v1: launches and players, errors, idempotency, pagination, tenancy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
    player_id,
)


def assert_error(
    response: httpx.Response, status: int, code: str, param: str | None = None
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"type", "code", "message", "param"}
    assert body["error"]["code"] == code
    assert body["error"]["param"] == param
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert response.headers["request-id"].startswith("req_")


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


class TestCreateLaunch:
    async def test_answers_201_with_a_link_for_the_player(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body("slot", return_url="https://casino.example/lobby", expires_in=120)
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert response.status_code == 201
        launch = response.json()
        assert launch["object"] == "launch"
        assert launch["id"].startswith("lnch_")
        assert launch["status"] == "issued"
        assert launch["product"] == "slot"
        assert launch["params"] == {"game_id": "monaco-nights"}
        assert launch["url"].startswith("http://portero.test/launch/")
        assert len(launch["url"].rsplit("/", 1)[1]) == 43  # 256-bit base64url token
        assert launch["player"]["id"] == body["player"]["id"]
        assert launch["player"]["email"] == "estarly@example.com"
        assert launch["language"] == "es"
        assert launch["currency"] == "EUR"
        assert launch["return_url"] == "https://casino.example/lobby"
        assert launch["source"] == "api"
        from datetime import datetime

        created = datetime.fromisoformat(launch["created_at"])
        expires = datetime.fromisoformat(launch["expires_at"])
        assert (expires - created).total_seconds() == pytest.approx(120, abs=1)

    async def test_returning_player_is_updated_and_keeps_unsent_fields(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        pid = player_id()
        first = launch_body(
            player={
                "id": pid,
                "name": "Ana",
                "email": "ana@example.com",
                "cellphone": "+34 600 123 456",
            }
        )
        await create_launch(client, partner, first)
        second = launch_body(player={"id": pid, "nickname": "ana77", "language": "en"})
        launch = await create_launch(client, partner, second)
        player = (await client.get(f"/v1/players/{pid}", headers=partner.auth)).json()
        assert player["name"] == "Ana"
        assert player["email"] == "ana@example.com"
        assert player["cellphone"] == "+34600123456"
        assert player["nickname"] == "ana77"
        assert player["language"] == "en"
        assert launch["language"] == "en"
        assert player["updated_at"] > player["created_at"]

    async def test_partner_defaults_fill_language_and_currency(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions, default_language="ja", default_currency="JPY")
        launch = await create_launch(
            client, partner, {"product": "roulette", "player": {"id": player_id()}}
        )
        assert (launch["language"], launch["currency"]) == ("ja", "JPY")
        assert launch["player"]["language"] is None

    @pytest.mark.parametrize(
        ("patch", "code", "param"),
        [
            ({"player": {"id": "x", "email": "not-an-email"}}, "parameter_invalid", "player.email"),
            ({"player": {"id": "x", "cellphone": "12"}}, "parameter_invalid", "player.cellphone"),
            ({"player": {"id": "x", "language": "xx"}}, "parameter_invalid", "player.language"),
            ({"player": {"id": "x", "currency": "EURO"}}, "parameter_invalid", "player.currency"),
            ({"player": {"id": "x", "name": "n" * 201}}, "parameter_too_long", "player.name"),
            ({"player": {"id": ""}}, "parameter_invalid", "player.id"),
            ({"player": {"nickname": "x"}}, "parameter_missing", "player.id"),
            ({"product": "poker"}, "parameter_unsupported", "product"),
            ({"expires_in": 5}, "parameter_invalid", "expires_in"),
            ({"expires_in": "soon"}, "parameter_invalid", "expires_in"),
            ({"return_url": "javascript:alert(1)"}, "parameter_invalid", "return_url"),
            ({"colour": "red"}, "parameter_unknown", "colour"),
            ({"player": {"id": "x", "vip": True}}, "parameter_unknown", "player.vip"),
            ({"params": {"table": 1}}, "parameter_unknown", "params.table"),
        ],
    )
    async def test_invalid_fields_get_a_400_naming_the_field(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        patch: dict[str, Any],
        code: str,
        param: str,
    ) -> None:
        response = await client.post(
            "/v1/launches", json=launch_body() | patch, headers=partner.auth
        )
        assert_error(response, 400, code, param)

    async def test_slot_needs_a_game_id(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body("slot", params={})
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert_error(response, 400, "parameter_missing", "params.game_id")

    async def test_call_refuses_both_category_and_agent(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body("call", params={"category_code": "a", "agent_code": "b"})
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert_error(response, 400, "parameter_invalid", "params")


class TestBadRequests:
    async def test_malformed_json(self, client: httpx.AsyncClient, partner: PartnerFixture) -> None:
        response = await client.post(
            "/v1/launches",
            content=b'{"product": ',
            headers=partner.auth | {"Content-Type": "application/json"},
        )
        assert_error(response, 400, "body_malformed")

    async def test_non_utf8_bytes(self, client: httpx.AsyncClient, partner: PartnerFixture) -> None:
        response = await client.post(
            "/v1/launches",
            content=b'{"product": "\xff\xfe"}',
            headers=partner.auth | {"Content-Type": "application/json"},
        )
        assert_error(response, 400, "body_malformed")

    async def test_json_that_is_not_an_object(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.post("/v1/launches", json=[1, 2], headers=partner.auth)
        assert_error(response, 400, "body_malformed")

    async def test_form_body_is_an_unsupported_media_type(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.post(
            "/v1/launches",
            content=b"product=roulette",
            headers=partner.auth | {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert_error(response, 415, "unsupported_media_type")

    async def test_body_over_64_kib_is_413(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body() | {"padding": "x" * (64 * 1024)}
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert_error(response, 413, "body_too_large")

    async def test_streamed_body_over_64_kib_is_413(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(20):
                yield b"x" * 4096

        response = await client.post(
            "/v1/launches",
            content=chunks(),
            headers=partner.auth | {"Content-Type": "application/json"},
        )
        assert "content-length" not in response.request.headers
        assert_error(response, 413, "body_too_large")

    async def test_unknown_route_and_wrong_method(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/v1/nothing"), 404, "route_not_found")
        assert_error(await client.delete("/v1/launches"), 405, "method_not_allowed")

    async def test_bad_query_parameter(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.get("/v1/launches?limit=1000", headers=partner.auth)
        assert_error(response, 400, "parameter_invalid", "limit")
        response = await client.get("/v1/launches?status=lost", headers=partner.auth)
        assert_error(response, 400, "parameter_unsupported", "status")


class TestAuthentication:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "Bearer prt_garbage"},
            {"Authorization": "Bearer " + "é" * 10},
        ],
    )
    async def test_missing_or_garbage_tokens_are_401(
        self, client: httpx.AsyncClient, headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v1/launches",
            json=launch_body(),
            headers={k: v.encode("utf-8") for k, v in headers.items()},  # type: ignore[misc]
        )
        assert_error(response, 401, "authentication_failed")
        assert response.headers["www-authenticate"].startswith("Bearer")

    async def test_unconfigured_partner_is_403(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions, configured=False)
        response = await client.post("/v1/launches", json=launch_body(), headers=partner.auth)
        assert_error(response, 403, "partner_not_configured")

    async def test_product_not_configured_is_403(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions, products=["slot"])
        response = await client.post("/v1/launches", json=launch_body(), headers=partner.auth)
        assert_error(response, 403, "product_not_allowed")


class TestIdempotency:
    async def test_same_key_same_body_replays_the_first_answer(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body()
        headers = partner.auth | {"Idempotency-Key": "order-1"}
        first = await client.post("/v1/launches", json=body, headers=headers)
        again = await client.post("/v1/launches", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert again.json() == first.json()
        listed = (await client.get("/v1/launches", headers=partner.auth)).json()
        assert [launch["id"] for launch in listed["data"]] == [first.json()["id"]]

    async def test_same_key_other_body_is_409_and_changes_nothing(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body()
        headers = partner.auth | {"Idempotency-Key": "order-2"}
        await client.post("/v1/launches", json=body, headers=headers)
        changed = body | {"player": body["player"] | {"nickname": "someone-else"}}
        response = await client.post("/v1/launches", json=changed, headers=headers)
        assert_error(response, 409, "idempotency_key_reused", "Idempotency-Key")
        assert response.json()["error"]["type"] == "idempotency_error"
        player = await client.get(f"/v1/players/{body['player']['id']}", headers=partner.auth)
        assert player.json()["nickname"] == "estarly93"  # the player upsert was rolled back

    async def test_keys_are_per_partner(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        other = await make_partner(sessions)
        key = {"Idempotency-Key": "shared-key"}
        mine = await client.post("/v1/launches", json=launch_body(), headers=partner.auth | key)
        theirs = await client.post("/v1/launches", json=launch_body(), headers=other.auth | key)
        assert mine.status_code == theirs.status_code == 201
        assert mine.json()["id"] != theirs.json()["id"]

    async def test_validation_failures_are_not_remembered(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        headers = partner.auth | {"Idempotency-Key": "order-3"}
        bad = await client.post("/v1/launches", json={"product": "roulette"}, headers=headers)
        assert bad.status_code == 400
        good = await client.post("/v1/launches", json=launch_body(), headers=headers)
        assert good.status_code == 201


class TestReadAndRevoke:
    async def test_get_shows_the_url_only_while_it_can_be_opened(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        fetched = (await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)).json()
        assert fetched["url"] == launch["url"]
        assert fetched["status"] == "issued"
        opened = await client.get(launch["url"])
        assert opened.status_code == 303
        fetched = (await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)).json()
        assert fetched["status"] == "opened"
        assert fetched["url"] is None
        assert fetched["opened_at"] is not None

    async def test_revoke_makes_the_link_unusable(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        revoked = await client.post(f"/v1/launches/{launch['id']}/revoke", headers=partner.auth)
        assert revoked.status_code == 200
        assert revoked.json()["status"] == "revoked"
        again = await client.post(f"/v1/launches/{launch['id']}/revoke", headers=partner.auth)
        assert again.json()["status"] == "revoked"
        opened = await client.get(launch["url"], headers={"Accept": "application/json"})
        assert_error(opened, 410, "launch_revoked")

    async def test_revoke_ends_an_open_play_session(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        bearer = await open_link(client, launch)
        assert (await client.get("/play/api/session", headers=bearer)).status_code == 200
        await client.post(f"/v1/launches/{launch['id']}/revoke", headers=partner.auth)
        assert_error(await client.get("/play/api/session", headers=bearer), 401, "session_invalid")

    async def test_an_ended_launch_cannot_be_revoked(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        bearer = await open_link(client, launch)
        assert (await client.post("/play/api/session/end", headers=bearer)).status_code == 200
        response = await client.post(f"/v1/launches/{launch['id']}/revoke", headers=partner.auth)
        assert_error(response, 409, "launch_not_revocable")

    async def test_unknown_ids_are_404(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        assert_error(
            await client.get("/v1/launches/lnch_nope", headers=partner.auth),
            404,
            "resource_missing",
            "launch_id",
        )
        assert_error(
            await client.get("/v1/players/nobody", headers=partner.auth),
            404,
            "resource_missing",
            "player_id",
        )


class TestListing:
    async def test_cursor_pagination_walks_every_launch_once_newest_first(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        created = [(await create_launch(client, partner))["id"] for _ in range(7)]
        seen: list[str] = []
        cursor = None
        while True:
            query = "limit=3" + (f"&starting_after={cursor}" if cursor else "")
            page = (await client.get(f"/v1/launches?{query}", headers=partner.auth)).json()
            assert page["object"] == "list"
            seen += [launch["id"] for launch in page["data"]]
            if not page["has_more"]:
                break
            cursor = page["data"][-1]["id"]
        assert seen == list(reversed(created))

    async def test_filters(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        pid = player_id()
        slot = await create_launch(client, partner, launch_body("slot", player={"id": pid}))
        roulette = await create_launch(client, partner, launch_body(player={"id": pid}))
        await create_launch(client, partner)  # another player
        await client.get(roulette["url"])  # opened

        async def ids(query: str) -> list[str]:
            page = (await client.get(f"/v1/launches?{query}", headers=partner.auth)).json()
            return [launch["id"] for launch in page["data"]]

        assert await ids(f"player_id={pid}") == [roulette["id"], slot["id"]]
        assert await ids("product=slot") == [slot["id"]]
        assert await ids(f"player_id={pid}&status=issued") == [slot["id"]]
        assert await ids("status=opened") == [roulette["id"]]


class TestTenancy:
    async def test_a_partner_never_sees_another_partners_launches_or_players(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        alice = await make_partner(sessions)
        bob = await make_partner(sessions)
        pid = player_id()
        launch = await create_launch(client, alice, launch_body(player={"id": pid}))
        assert (
            await client.get(f"/v1/launches/{launch['id']}", headers=bob.auth)
        ).status_code == 404
        assert (await client.get(f"/v1/players/{pid}", headers=bob.auth)).status_code == 404
        revoke = await client.post(f"/v1/launches/{launch['id']}/revoke", headers=bob.auth)
        assert revoke.status_code == 404
        assert (await client.get("/v1/launches", headers=bob.auth)).json()["data"] == []
        listed = await client.get(f"/v1/launches?player_id={pid}", headers=bob.auth)
        assert listed.json()["data"] == []
        # The same external id at Bob is a different person.
        bobs = await create_launch(client, bob, launch_body(player={"id": pid, "name": "Bob's"}))
        alices = (await client.get(f"/v1/players/{pid}", headers=alice.auth)).json()
        assert bobs["player"]["name"] == "Bob's"
        assert alices["name"] is None


class TestEveryResponseHasARequestId:
    async def test_success_errors_and_pages(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        responses = [
            await client.get("/healthz"),
            await client.get("/v1/launches", headers=partner.auth),
            await client.get("/v1/launches"),
            await client.get(launch["url"]),
            await client.get("/launch/garbage"),
            await client.get("/nowhere"),
        ]
        ids = [r.headers.get("request-id") for r in responses]
        assert all(i and i.startswith("req_") for i in ids)
        assert len(set(ids)) == len(ids)


class TestHostileInput:
    """What a fuzzer found once; each case must keep its documented answer on both databases."""

    @pytest.mark.parametrize(
        ("path", "status", "code"),
        [
            ("/v1/launches/%00", 404, "resource_missing"),
            ("/v1/players/%00", 404, "resource_missing"),
            ("/v1/players/a%00b", 404, "resource_missing"),
            ("/v1/launches/" + "x" * 5000, 404, "resource_missing"),
            ("/v1/players/" + "x" * 5000, 404, "resource_missing"),
            ("/v1/launches?player_id=%00", 400, "parameter_invalid"),
            ("/play/%00", 404, "resource_missing"),
        ],
    )
    async def test_nul_bytes_and_huge_ids_in_urls(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        path: str,
        status: int,
        code: str,
    ) -> None:
        response = await client.get(path, headers=partner.auth | {"Accept": "application/json"})
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
        assert "x" * 100 not in response.text  # garbage is not echoed back

    async def test_revoke_with_nul_id(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.post("/v1/launches/%00/revoke", headers=partner.auth)
        assert_error(response, 404, "resource_missing", "launch_id")

    @pytest.mark.parametrize("field", ["id", "name", "nickname"])
    async def test_control_characters_in_player_fields(
        self, client: httpx.AsyncClient, partner: PartnerFixture, field: str
    ) -> None:
        player = {"id": "p1", field: "a\u0000b"}
        response = await client.post(
            "/v1/launches", json=launch_body(player=player), headers=partner.auth
        )
        assert_error(response, 400, "parameter_invalid", f"player.{field}")

    async def test_control_characters_in_params_and_urls(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        body = launch_body("call", params={"tickets": [{"title": "a\u0000", "description": "d"}]})
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert_error(response, 400, "parameter_invalid", "params.tickets.0.title")
        body = launch_body(return_url="https://a.example/\u0000")
        response = await client.post("/v1/launches", json=body, headers=partner.auth)
        assert_error(response, 400, "parameter_invalid", "return_url")

    async def test_bad_starting_after_and_unknown_query_parameters(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.get("/v1/launches?starting_after=garbage", headers=partner.auth)
        assert_error(response, 400, "parameter_invalid", "starting_after")
        response = await client.get("/v1/launches?limt=5", headers=partner.auth)
        assert_error(response, 400, "parameter_unknown", "limt")

    async def test_empty_body_and_near_json_content_types(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        json_type = {"Content-Type": "application/json"}
        response = await client.post("/v1/launches", headers=partner.auth | json_type)
        assert_error(response, 400, "body_malformed")
        response = await client.post(
            "/v1/launches",
            content=b'{"product": "roulette"}',
            headers=partner.auth | {"Content-Type": "application/jsonx"},
        )
        assert_error(response, 415, "unsupported_media_type")

    async def test_expires_in_must_be_a_json_integer(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        for value in ("30", 30.5):
            response = await client.post(
                "/v1/launches", json=launch_body(expires_in=value), headers=partner.auth
            )
            assert_error(response, 400, "parameter_invalid", "expires_in")

    async def test_empty_idempotency_key_is_refused(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        response = await client.post(
            "/v1/launches", json=launch_body(), headers=partner.auth | {"Idempotency-Key": ""}
        )
        assert_error(response, 400, "parameter_invalid", "Idempotency-Key")

    async def test_405_names_the_allowed_methods(self, client: httpx.AsyncClient) -> None:
        response = await client.request("PATCH", "/v1/launches")
        assert_error(response, 405, "method_not_allowed")
        assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}

    async def test_player_ids_may_contain_slashes_and_no_redirects_are_made(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        await create_launch(client, partner, launch_body(player={"id": "team/42"}))
        response = await client.get("/v1/players/team/42", headers=partner.auth)
        assert response.json()["id"] == "team/42"
        response = await client.get("/v1/launches/", headers=partner.auth | {"Host": "evil.test"})
        assert response.status_code == 404
        assert "location" not in response.headers


async def test_an_unexpected_error_is_a_500_in_the_api_format_with_a_request_id(
    settings: object,
) -> None:
    from portero.app import create_app
    from tests.conftest import PUBLIC_URL, running

    app = create_app(settings)  # type: ignore[arg-type]

    @app.get("/v1/_boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    async with running(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            response = await client.get("/v1/_boom")
    assert_error(response, 500, "internal_error")
    assert "a bug" not in response.text
