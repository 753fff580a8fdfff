"""The reality check in headless Chromium, on the slot page of a launch with
`reality_check_seconds`: the partner's age notice and responsible-gaming link under the game;
when a check is due (the server's due time moved into the past, instead of waiting a whole
interval), the page stops play with a modal showing the time played and the net result in
the session's currency; Continue acknowledges it and play resumes. Both ways the page meets a
due check are seen: its own timer (a reload) and the server refusing a spin."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect as pw_expect
from sqlalchemy import create_engine, update

from portero.launches.models import PlaySession
from tests.e2e.test_slot_browser import choose_bet
from tests.support.browsing import ARTIFACTS, NICKNAME, OpenBrowser, Portero, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPINS = "/play/api/slots/spins"
RG_URL = "https://casino.example/juego-responsable"
BET = 100


def slot_launch(portero: Portero, player_id: str) -> dict[str, Any]:
    response = httpx.post(
        f"{portero.base_url}/v1/launches",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json={
            "product": "slot",
            "params": {"game_id": "monaco-nights"},
            "player": {"id": player_id, "nickname": NICKNAME, "language": "es", "currency": "EUR"},
            "responsible_gaming": {"reality_check_seconds": 600, "loss_limit": 100_000},
        },
        timeout=5,
    )
    assert response.status_code == 201, response.text
    launch: dict[str, Any] = response.json()
    return launch


def make_check_due(portero: Portero, launch_id: str) -> None:
    """Move the session's next reality check into the past, as the server keeps it."""
    engine = create_engine(portero.env["PORTERO_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.execute(
                update(PlaySession)
                .where(PlaySession.launch_id == launch_id)
                .values(reality_check_due_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        engine.dispose()


def spin(page: Page, portero: Portero) -> tuple[int, dict[str, Any]]:
    with page.expect_response(
        lambda r: r.url == f"{portero.base_url}{SPINS}" and r.request.method == "POST"
    ) as answer:
        page.locator("#spin").click()
    return answer.value.status, answer.value.json()


def expect_the_check(page: Page, net: int) -> None:
    check = page.locator("#reality-check")
    pw_expect(check).to_be_visible()
    pw_expect(page.locator("#reality-duration")).to_have_text(re.compile(r"^0:\d\d:\d\d$"))
    pw_expect(page.locator("#reality-net")).to_have_attribute("data-minor", str(net))
    # In the session's currency, in the page's language (es: "-0,40 €").
    pw_expect(page.locator("#reality-net")).to_contain_text("€")
    pw_expect(page.locator("#reality-rg-link")).to_have_attribute("href", RG_URL)


def test_the_reality_check_stops_play_until_the_player_continues(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    portero.cli(
        "partner", "configure", str(portero.partner_id),
        "--responsible-gaming-url", RG_URL, "--age-notice", "18+",
    )  # fmt: skip
    launch = slot_launch(portero, "rg-1")
    page = open_browser().new_page()
    page.set_viewport_size({"width": 900, "height": 900})
    problems = watch_problems(page)
    page.goto(launch["url"])
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(page.locator("#balance")).not_to_have_attribute("data-minor", "")
    pw_expect(page.locator("#age-notice")).to_have_text("18+")
    pw_expect(page.locator("#rg-link")).to_have_attribute("href", RG_URL)
    pw_expect(page.locator("#rg-link")).to_have_text("Juega con responsabilidad")
    pw_expect(page.locator("#reality-check")).to_be_hidden()

    choose_bet(page.main_frame, BET)
    status, first = spin(page, portero)
    assert status == 200, first
    played = first["spin"]
    pw_expect(page.locator("#win")).to_have_attribute("data-spin", played["id"], timeout=20_000)
    net = played["win"] - played["bet"]
    assert first["responsible_gaming"]["net_result"] == net

    # The page's own timer: a check already due when the page loads is shown at once.
    make_check_due(portero, launch["id"])
    page.reload()
    expect_the_check(page, net)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "reality-check.png")
    page.locator("#reality-continue").click()
    pw_expect(page.locator("#reality-check")).to_be_hidden()

    # The server: a spin while a check is due is refused, and the page shows the check.
    make_check_due(portero, launch["id"])
    status, refused = spin(page, portero)
    assert (status, refused["error"]["code"]) == (409, "reality_check_due")
    expect_the_check(page, net)
    with page.expect_response(lambda r: r.url.endswith("/play/api/reality-check")) as seen:
        page.locator("#reality-continue").click()
    assert seen.value.status == 200
    pw_expect(page.locator("#reality-check")).to_be_hidden()
    status, again = spin(page, portero)
    assert status == 200, again
    pw_expect(page.locator("#win")).to_have_attribute(
        "data-spin", again["spin"]["id"], timeout=20_000
    )
    # The one console error is the browser's note of the refused spin's 409.
    assert [p for p in problems if "409" not in p] == []


def test_a_terminated_players_page_ends_and_says_why(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    launch = slot_launch(portero, "rg-2")
    page = open_browser().new_page()
    page.goto(launch["url"])
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(page.locator("#balance")).not_to_have_attribute("data-minor", "")
    kicked = httpx.post(
        f"{portero.base_url}/v1/players/rg-2/terminate",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        timeout=5,
    )
    assert kicked.json()["sessions_ended"] == 1
    page.locator("#spin").click()  # the page's next request learns of the end
    pw_expect(page.locator("#ended")).to_be_visible()
    pw_expect(page.locator("#ended-reason")).to_have_text("El operador ha finalizado tu sesión.")
    page.reload()
    pw_expect(page.locator("#ended-reason")).to_have_text("El operador ha finalizado tu sesión.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "session-terminated.png")
