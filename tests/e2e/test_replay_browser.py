"""The replay page of a round in headless Chromium, against a real server (see browsing.py):
a roulette round and a slot round played through the play APIs, their replay links opened on a
phone and on a laptop, and inside the partner's iframe."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect as pw_expect

from portero.rounds.replay import replay_url
from portero.settings import Settings
from portero.slots.games.catalogue import games
from tests.support.browsing import (
    ARTIFACTS,
    SECRET,
    OpenBrowser,
    PartnerSite,
    Portero,
    game_frame,
    watch_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = [(390, 844), (1366, 768)]  # a phone, a laptop
BETS = [
    {"type": "straight", "numbers": [17], "amount": 100},
    {"type": "corner", "numbers": [1, 2, 4, 5], "amount": 200},
    {"type": "dozen", "target": 2, "amount": 300},
    {"type": "black", "amount": 500},
]


def play_session(portero: Portero, product: str, **params: str) -> dict[str, str]:
    """A native launch of `product`, opened: the play session's Authorization header."""
    response = httpx.post(
        f"{portero.base_url}/v1/launches",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json={
            "product": product,
            "player": {"id": "replay-" + uuid.uuid4().hex[:8], "currency": "EUR"},
            **({"params": params} if params else {}),
        },
        timeout=5,
    )
    assert response.status_code == 201, response.text
    location = httpx.get(response.json()["url"], timeout=5).headers["location"]
    return {"Authorization": "Bearer " + location.split("#session=", 1)[1]}


def roulette_round(portero: Portero) -> dict[str, Any]:
    auth = play_session(portero, "roulette")
    response = httpx.post(
        f"{portero.base_url}/play/api/roulette/spins",
        json={"round_id": uuid.uuid4().hex, "bets": BETS},
        headers=auth,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    played: dict[str, Any] = response.json()["round"]
    return played


def winning_slot_spin(portero: Portero, game_id: str = "monaco-nights") -> dict[str, Any]:
    """A spin whose base game wins (spins until one does)."""
    auth = play_session(portero, "slot", game_id=game_id)
    for _ in range(200):
        response = httpx.post(
            f"{portero.base_url}/play/api/slots/spins",
            json={"spin_id": uuid.uuid4().hex, "bet": 20},
            headers=auth,
            timeout=5,
        )
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()["spin"]
        if record["base"]["wins"]:
            return record
    raise AssertionError("200 spins without a win")


def link(portero: Portero, round_id: str) -> str:
    """The replay link as the server signs it (the same secret key, no replay key)."""
    settings = Settings(secret_key=SECRET, public_url=portero.base_url, replay_key=None)
    return replay_url(settings, round_id)


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_roulette_replay_marks_the_winning_number_on_a_phone_and_a_laptop(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    played = roulette_round(portero)
    number = played["number"]
    page = open_browser().new_page()
    problems = watch_problems(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(link(portero, played["id"]))
        assert page.evaluate("document.documentElement.lang") == "es"  # the browser's language
        pw_expect(page.locator("#round")).to_have_attribute("data-round", played["id"])
        pw_expect(page.locator("#winning-number")).to_have_text(str(number))
        winner = page.locator("#board .cell.winner")
        pw_expect(winner).to_have_count(1)
        pw_expect(winner).to_be_visible()
        pw_expect(winner.locator(".label")).to_have_text(str(number))
        pw_expect(page.locator("#board .cell")).to_have_count(37 + 3 + 3 + 6)
        pw_expect(page.locator("#board .chip-on")).to_have_count(3)  # the corner has no box
        pw_expect(page.locator("#board .cell.covered")).to_have_count(4)
        pw_expect(page.locator("#bets tbody tr")).to_have_count(len(BETS))
        pw_expect(page.locator("#verdict")).to_have_attribute("data-verified", "true")
        pw_expect(page.locator("#verdict")).to_be_visible()
        assert fits_the_width(page), (width, height)
        # The layout turns with the screen: 0 above 1-2-3 on a phone, beside them on a laptop.
        zero = page.locator("#board .cell").first.bounding_box()
        one = page.locator("#board .numbers .cell").nth(2).bounding_box()  # 3, 2, 1…
        assert zero is not None
        assert one is not None
        assert (zero["y"] < one["y"]) if width < 640 else (zero["x"] < one["x"])
        page.screenshot(path=ARTIFACTS / f"replay-roulette-{width}x{height}.png", full_page=True)
    assert not problems, problems


def test_a_slot_replay_shows_the_reels_and_what_won_on_a_phone_and_a_laptop(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    record = winning_slot_spin(portero)
    game = games()[record["game_id"]]
    page = open_browser().new_page()
    problems = watch_problems(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(link(portero, record["id"]))
        base = page.locator("#base")
        reels = base.locator(".reels")
        pw_expect(reels).to_be_visible()
        pw_expect(base.locator(".reel")).to_have_count(game.reels)
        pw_expect(base.locator(".cell[data-row]")).to_have_count(game.reels * game.rows)
        for r, column in enumerate(record["base"]["window"]):
            for row, code in enumerate(column):
                cell = base.locator(f".cell[data-reel='{r}'][data-row='{row}']")
                pw_expect(cell).to_have_attribute("data-symbol", code)
        lit = base.locator(".cell.hit, .cell.scatter-hit")
        pw_expect(lit.first).to_be_visible()
        positions = {tuple(p) for win in record["base"]["wins"] for p in win["positions"]}
        pw_expect(lit).to_have_count(len(positions))
        pw_expect(base.locator(".wins li")).to_have_count(len(record["base"]["wins"]))
        lines = [w for w in record["base"]["wins"] if w["kind"] == "line"]
        pw_expect(base.locator("polyline.payline")).to_have_count(len(lines))
        box = reels.bounding_box()
        assert box is not None
        assert box["width"] <= width
        assert fits_the_width(page), (width, height)
        page.screenshot(path=ARTIFACTS / f"replay-slot-{width}x{height}.png", full_page=True)
    assert not problems, problems


def test_a_replay_opens_in_the_partners_iframe(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    played = roulette_round(portero)
    page = open_browser().new_page()
    problems = watch_problems(page)
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(partner_site.page_embedding(link(portero, played["id"]), size=(390, 700)))
    frame = game_frame(page)
    pw_expect(frame.locator("#winning-number")).to_have_text(str(played["number"]))
    pw_expect(frame.locator("#board .cell.winner")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "replay-roulette-iframe.png")
    assert not problems, problems
