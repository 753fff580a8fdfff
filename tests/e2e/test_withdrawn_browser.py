"""A partner disabled while its player is at the table: the page shows its ended state with a
way back (also after a reload), and a new link shows the "not available" page."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, NICKNAME, OpenBrowser, Portero

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LOBBY = "https://lobby.casino-dos.example/"


def new_partner(portero: Portero) -> tuple[str, str]:
    created = json.loads(portero.cli("partner", "create", "Casino dos", "--json"))
    partner_id = str(created["id"])
    portero.cli(
        "partner", "configure", partner_id, "--products", "roulette",
        "--language", "es", "--return-url", LOBBY,
    )  # fmt: skip
    return partner_id, str(created["token"])


def launch_url(portero: Portero, token: str) -> str:
    response = httpx.post(
        f"{portero.base_url}/v1/launches",
        headers={"Authorization": f"Bearer {token}"},
        json={"product": "roulette", "player": {"id": "p9", "nickname": NICKNAME}},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


def test_a_disabled_partners_page_ends_with_a_way_back(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    partner_id, token = new_partner(portero)
    page = open_browser().new_page()
    page.goto(launch_url(portero, token))
    pw_expect(page.locator("#ready")).to_be_visible()
    unopened = launch_url(portero, token)
    portero.cli("partner", "disable", partner_id)

    page.reload()  # the next request of the page is refused: ended, with the way back
    pw_expect(page.locator("#ended")).to_be_visible()
    back = page.locator("#ended-back a")
    pw_expect(back).to_be_visible()
    pw_expect(back).to_have_attribute("href", LOBBY)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "partner-disabled-ended.png")

    other = open_browser().new_page()
    response = other.goto(unopened)
    assert response is not None
    assert response.status == 410
    assert response.header_value("portero-link-status") == "launch_withdrawn"
    pw_expect(other.locator("h1")).to_have_text("Este juego no está disponible")
    pw_expect(other.locator("a.button")).to_have_attribute("href", LOBBY)
    other.screenshot(path=ARTIFACTS / "link-withdrawn.png")
