"""What every game page shares, in headless Chromium: sounds that wait for the player's first
gesture with a mute the browser remembers, and a tab that knows the game is open in another."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero, until
from tests.support.roulette_table import rig, spin

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOBBY = "https://lobby.example/games"


def launch(portero: Portero, product: str = "roulette", player_id: str = "") -> str:
    body: dict[str, object] = {
        "product": product,
        "player": {
            "id": player_id or f"tabs-{time.monotonic_ns()}",
            "language": "es",
            "currency": "EUR",
        },
        "return_url": LOBBY,
    }
    if product == "slot":
        body["params"] = {"game_id": "monaco-nights"}
    return portero.native_link(body)


@pytest.mark.parametrize("product", ["roulette", "slot"])
def test_sound_waits_for_a_gesture_and_the_mute_is_remembered(
    portero: Portero, open_browser: OpenBrowser, product: str
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(launch(portero, product))
    pw_expect(page.locator("#ready")).to_be_visible()
    toggle = page.locator("#sound-toggle")
    pw_expect(toggle).to_have_attribute("aria-label", "Silenciar los sonidos")
    # Before any gesture nothing may sound, whatever the game asks for.
    assert page.evaluate("porteroSound.state()") == "locked"
    assert page.evaluate("porteroSound.play('win')") is False
    toggle.click()  # the first gesture unlocks the sound; the click itself mutes
    until(page, "porteroSound.state() === 'running'")
    pw_expect(toggle).to_have_attribute("data-muted", "1")
    pw_expect(toggle).to_have_attribute("aria-label", "Activar los sonidos")
    assert page.evaluate("porteroSound.play('win')") is False  # muted
    page.reload()  # the same tab keeps its session and the browser keeps the choice
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(page.locator("#sound-toggle")).to_have_attribute("data-muted", "1")
    page.locator("#sound-toggle").click()
    pw_expect(page.locator("#sound-toggle")).to_have_attribute("data-muted", "0")
    until(page, "porteroSound.state() === 'running'")
    for sound in ("spin", "ball", "win", "bigwin"):
        assert page.evaluate(f"porteroSound.play('{sound}')") is True
    assert page.evaluate("porteroSound.played") == ["spin", "ball", "win", "bigwin"]
    page.screenshot(path=ARTIFACTS / f"play-sound-toggle-{product}.png")


@pytest.mark.parametrize(("number", "sounds"), [(17, ["bigwin"]), (0, [])])
def test_a_roulette_round_sounds_the_spin_the_ball_and_its_win(
    portero: Portero, open_browser: OpenBrowser, number: int, sounds: list[str]
) -> None:
    page = open_browser().new_page()
    page.goto(launch(portero))
    frame = page.main_frame
    pw_expect(page.locator("#balance")).not_to_have_attribute("data-minor", "")
    pw_expect(page.locator("#commitment")).not_to_have_text("")
    rig(frame, portero, number)
    frame.locator("[data-bet='straight:17']").click()  # 17 returns 36 times the stake
    spin(page, frame, portero)
    assert page.evaluate("porteroSound.played") == ["spin", "ball", *sounds]


def test_a_slot_spin_sounds_the_reels_and_its_win(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.goto(launch(portero, "slot"))
    pw_expect(page.locator("#balance")).not_to_have_attribute("data-minor", "")
    for _ in range(3):
        with page.expect_response(lambda r: r.url.endswith("/play/api/slots/spins")) as answer:
            page.locator("#spin").click()
        played = answer.value.json()["spin"]
        pw_expect(page.locator("#win")).to_have_attribute("data-spin", played["id"])
        big = played["win"] >= 20 * played["bet"]
        expected = ["spin", *(["bigwin" if big else "win"] if played["win"] > 0 else [])]
        assert page.evaluate("porteroSound.played.splice(0)") == expected


def test_a_copied_address_in_another_tab_says_the_game_is_open_there(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    browser = open_browser()
    first = browser.new_page()
    first.goto(launch(portero))
    pw_expect(first.locator("#ready")).to_be_visible()
    # The address bar no longer carries the session: a copy of it opens without one.
    second = browser.new_page()
    second.set_viewport_size({"width": 390, "height": 844})
    second.goto(first.url)
    elsewhere = second.locator("#elsewhere")
    pw_expect(elsewhere).to_be_visible()
    pw_expect(elsewhere.locator("h1")).to_have_text("Abierto en otra pestaña")
    pw_expect(second.locator("#ended")).to_be_hidden()
    second.screenshot(path=ARTIFACTS / "play-open-elsewhere.png")
    # Once no tab plays it, the copy says what it is: a page without a session. A tab whose
    # session has ended plays it no more than a closed one.
    first.close()
    second.reload()
    pw_expect(second.locator("#ended")).to_be_visible()
    pw_expect(second.locator("#elsewhere")).to_be_hidden()


def test_a_tab_whose_session_ended_does_not_claim_the_game(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    player = f"ended-{time.monotonic_ns()}"
    browser = open_browser()
    first = browser.new_page()
    first.goto(launch(portero, player_id=player))
    pw_expect(first.locator("#balance")).not_to_have_attribute("data-minor", "")
    ended = httpx.post(
        f"{portero.base_url}/v1/players/{player}/terminate",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        timeout=5,
    )
    assert ended.is_success, ended.text
    first.locator("[data-bet='straight:17']").click()
    first.locator("#spin").click()  # the table learns that its session is over
    pw_expect(first.locator("#ended")).to_be_visible()
    second = browser.new_page()
    second.goto(first.url)
    pw_expect(second.locator("#ended")).to_be_visible()
    pw_expect(second.locator("#elsewhere")).to_be_hidden()
