"""What a player's browser gets from a link: redirects, localised pages, security headers."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches.models import Launch
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
    token_of,
)

ORIGIN = "https://casino.example"


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, frame_ancestors=[ORIGIN])


class TestOpeningALink:
    async def test_redirects_to_the_product_page_with_the_session_in_the_fragment(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        response = await client.get(launch["url"])
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith(f"/play/{launch['id']}#session=pss_")
        assert "set-cookie" not in response.headers
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"

    async def test_product_page_may_be_framed_by_the_partner_only(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        location = (await client.get(launch["url"])).headers["location"]
        page = await client.get(location.split("#")[0])
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert f"frame-ancestors 'self' {ORIGIN}" in csp
        assert "x-frame-options" not in page.headers
        assert 'lang="es"' in page.text
        assert "Ruleta" in page.text
        assert '<meta name="viewport"' in page.text

    async def test_reload_keeps_working_through_the_play_session(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        bearer = await open_link(client, launch)
        for _ in range(3):
            response = await client.get("/play/api/session", headers=bearer)
            assert response.status_code == 200
        session = response.json()
        assert session["launch_id"] == launch["id"]
        assert session["player"] == {
            "id": launch["player"]["id"],
            "nickname": "estarly93",
            "name": None,
        }
        assert session["language"] == "es"

    @pytest.mark.parametrize(
        ("language", "title"),
        [("es", "Este enlace ya se ha usado"), ("en", "This link has already been used")],
    )
    async def test_already_used_page_in_the_players_language(
        self, client: httpx.AsyncClient, partner: PartnerFixture, language: str, title: str
    ) -> None:
        body = launch_body(player={"id": "p-" + language, "language": language})
        launch = await create_launch(client, partner, body)
        await client.get(launch["url"])
        again = await client.get(launch["url"], headers={"Accept": "text/html"})
        assert again.status_code == 409
        assert title in again.text
        assert 'data-status="launch_already_used"' in again.text
        assert again.headers["portero-link-status"] == "launch_already_used"
        assert f"frame-ancestors 'self' {ORIGIN}" in again.headers["content-security-policy"]

    async def test_expired_link_page_and_json(
        self,
        client: httpx.AsyncClient,
        partner: PartnerFixture,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        launch = await create_launch(client, partner, launch_body(return_url=f"{ORIGIN}/lobby"))
        async with session_scope(sessions) as session:
            await session.execute(
                update(Launch).where(Launch.id == launch["id"]).values(expires_at=utcnow())
            )
        page = await client.get(launch["url"])
        assert page.status_code == 410
        assert "Este enlace ha caducado" in page.text
        assert f'href="{ORIGIN}/lobby"' in page.text
        api = await client.get(launch["url"], headers={"Accept": "application/json"})
        assert api.status_code == 410
        assert api.json()["error"]["code"] == "launch_expired"
        listed = await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)
        assert listed.json()["status"] == "expired"

    async def test_unknown_link_uses_the_browsers_language(self, client: httpx.AsyncClient) -> None:
        page = await client.get("/launch/nothing-here", headers={"Accept-Language": "es-ES,es"})
        assert page.status_code == 404
        assert "Este enlace no existe" in page.text
        page = await client.get("/launch/nothing-here", headers={"Accept-Language": "de"})
        assert "This link does not exist" in page.text

    async def test_token_is_not_reflected_into_the_page(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        await client.get(launch["url"])
        again = await client.get(launch["url"])
        assert token_of(launch["url"]) not in again.text

    async def test_landing_for_an_unknown_launch_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/play/lnch_unknown")
        assert response.status_code == 404


class TestPlayApi:
    async def test_garbage_and_missing_bearers_are_401_json(
        self, client: httpx.AsyncClient
    ) -> None:
        for headers in ({}, {"Authorization": "Bearer pss_nope"}):
            response = await client.get("/play/api/session", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "session_invalid"

    async def test_leave_ends_the_session(
        self, client: httpx.AsyncClient, partner: PartnerFixture
    ) -> None:
        launch = await create_launch(client, partner)
        bearer = await open_link(client, launch)
        ended = await client.post("/play/api/session/end", headers=bearer)
        assert ended.status_code == 200
        again = await client.get("/play/api/session", headers=bearer)
        assert again.status_code == 401
        assert again.json()["error"]["code"] == "session_expired"
        fetched = await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)
        assert fetched.json()["status"] == "ended"
        assert fetched.json()["ended_at"]
