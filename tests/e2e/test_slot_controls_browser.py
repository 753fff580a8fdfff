"""The slot page's controls in headless Chromium: on a phone nothing under the reels moves
between the states of a spin (the one round button is Spin, Skip while the reels turn, Retry
spin after a lost answer, in the same box; the header and the message line keep their height),
the bet steps through the game's levels with its two steps, and the page's states are photographed
on a phone, a laptop and the partner's small iframe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page, Route, ViewportSize
from playwright.sync_api import expect as pw_expect

from portero.slots.games.catalogue import games
from tests.e2e.test_slot_browser import SPINS, bet, seed_001_link, spin, wait_for_game
from tests.support.browsing import (
    ARTIFACTS,
    OpenBrowser,
    PartnerSite,
    Portero,
    game_frame,
    watch_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
# The boxes that must not move: the round button, the bet's steps, the header, the lines.
STEADY = ("#spin", "#bet-down", "#bet-up", ".table-bar", "#machine", ".win-line", "#message")
BOXES = """(selectors) => Object.fromEntries(selectors.map((s) => {
    const box = document.querySelector(s).getBoundingClientRect();
    return [s, [box.x, box.y, box.width, box.height]];
}))"""


def boxes(frame: Frame) -> dict[str, list[float]]:
    found: dict[str, list[float]] = frame.evaluate(BOXES, list(STEADY))
    return found


def held_spins(page: Page, portero: Portero) -> list[Route]:
    """Spin requests kept unanswered until the test lets each through (`continue_`)."""
    held: list[Route] = []
    page.route(f"{portero.base_url}{SPINS}", lambda route: held.append(route))
    return held


def until_held(page: Page, held: list[Route], count: int) -> None:
    for _ in range(200):  # 10 s at most; each pause lets the page's requests reach the route
        if len(held) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{count} spin requests never came")


def test_on_a_phone_nothing_under_the_reels_moves_while_a_spin_is_played(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size(PHONE)
    problems = watch_problems(page)
    page.goto(seed_001_link(portero, "slot-ctl-1"))
    frame = page.main_frame
    wait_for_game(frame)
    button = frame.locator("#spin")
    pw_expect(button).to_have_attribute("data-role", "spin")
    before = boxes(frame)
    screenshot(page, "slot-phone-idle.png")

    # Sent, not yet answered: the same button is Skip, in the same box.
    held = held_spins(page, portero)
    button.click()
    pw_expect(button).to_have_attribute("data-role", "skip")
    pw_expect(button).to_have_text("Saltar")
    pw_expect(frame.locator("#bet-up")).to_be_disabled()
    waiting = boxes(frame)
    until_held(page, held, 1)
    with page.expect_response(lambda r: r.url.endswith(SPINS)) as answer:
        held[0].continue_()
    record = answer.value.json()["spin"]
    # The reels turn: still Skip, still there.
    pw_expect(frame.locator("#reels .reel.rolling").first).to_be_attached()
    rolling = boxes(frame)
    screenshot(page, "slot-phone-spinning.png")
    pw_expect(frame.locator("#win")).to_have_attribute("data-spin", record["id"], timeout=10_000)
    pw_expect(button).to_have_attribute("data-role", "spin")
    pw_expect(button).to_have_text("Girar")
    shown = boxes(frame)
    page.unroute(f"{portero.base_url}{SPINS}")

    # A spin lost on the way: Retry spin, and the message's longest text, in the same boxes.
    page.route(f"{portero.base_url}{SPINS}", lambda route: route.abort("connectionreset"))
    button.click()
    pw_expect(button).to_have_text("Repetir tirada")
    pw_expect(frame.locator("#message")).to_contain_text("no llegó al juego")
    lost = boxes(frame)
    for moment in (waiting, rolling, shown, lost):
        assert moment == before, (moment, before)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == [] or all("net::ERR" in p for p in problems), problems


def test_the_bet_steps_through_the_levels_and_stops_at_both_ends(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    game = games()["monaco-nights"]
    levels = [value * game.bet_multiplier for value in game.credit_values["EUR"]]
    page = open_browser().new_page()
    page.set_viewport_size(PHONE)
    page.goto(seed_001_link(portero, "slot-ctl-2"))
    frame = page.main_frame
    wait_for_game(frame)
    down, up = frame.locator("#bet-down"), frame.locator("#bet-up")
    top = game.symbols[0]
    pays = frame.locator(f"#pays tr[data-symbol='{top.code}'] td[data-count='5']")
    assert bet(frame) == levels[0]
    pw_expect(down).to_be_disabled()
    steady = boxes(frame)
    for level in levels[1:]:
        pw_expect(up).to_be_enabled()
        up.click()
        pw_expect(frame.locator("#bet")).to_have_attribute("data-minor", str(level))
        pw_expect(pays).to_have_attribute(
            "data-minor", str(top.pays[5] * level // game.bet_multiplier)
        )
        pw_expect(down).to_be_enabled()
        assert boxes(frame) == steady  # the widest level fits: the steps stay where they are
    pw_expect(up).to_be_disabled()
    pw_expect(frame.locator("#bet")).to_have_text("10,00\u00a0€")
    for level in reversed(levels[:-1]):
        down.click()
        pw_expect(frame.locator("#bet")).to_have_attribute("data-minor", str(level))
    pw_expect(down).to_be_disabled()
    pw_expect(up).to_be_enabled()
    up.click()
    result = spin(page, frame, portero)  # the bet stepped to is the bet played
    assert result["spin"]["bet"] == levels[1]


def screenshot(page: Page, name: str, *, frame_only: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    if frame_only:
        page.locator("iframe#game").screenshot(path=ARTIFACTS / name)
    else:
        page.screenshot(path=ARTIFACTS / name)


def photograph_the_states(page: Page, frame: Frame, portero: Portero, size: str) -> None:
    """Idle, spinning, the autoplay panel, autoplay running, at one size."""
    inside = size == "iframe"
    wait_for_game(frame)
    screenshot(page, f"slot-{size}-idle.png", frame_only=inside)
    held = held_spins(page, portero)
    frame.locator("#spin").click()
    until_held(page, held, 1)
    held[0].continue_()
    pw_expect(frame.locator("#reels .reel.rolling").first).to_be_attached()
    screenshot(page, f"slot-{size}-spinning.png", frame_only=inside)
    pw_expect(frame.locator("#spin")).to_have_attribute("data-role", "spin", timeout=10_000)
    frame.locator("#autoplay").click()
    pw_expect(frame.locator("#autoplay-panel")).to_be_visible()
    screenshot(page, f"slot-{size}-autoplay-panel.png", frame_only=inside)
    # Stopped by hand below: free spins won on the way must not end it first.
    frame.locator("#stop-feature").set_checked(False)
    frame.locator("#autoplay-start").click()
    until_held(page, held, 2)
    pw_expect(frame.locator("#autoplay-left")).to_be_visible()
    held[1].continue_()
    pw_expect(frame.locator("#reels .reel.rolling").first).to_be_attached()
    screenshot(page, f"slot-{size}-autoplay.png", frame_only=inside)
    frame.locator("#spin").click()  # Stop: the spin under way is the last
    # A slow screenshot may have let the next spin go out before Stop: let it through too.
    deck = frame.locator("#deck")
    for _ in range(400):
        for route in held[2:]:
            route.continue_()
        del held[2:]
        if deck.get_attribute("data-autoplay-stop") == "stop":
            break
        page.wait_for_timeout(50)
    pw_expect(deck).to_have_attribute("data-autoplay-stop", "stop")


@pytest.mark.parametrize("size", ["phone", "laptop", "iframe"])
def test_the_states_are_photographed_at_every_size(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser, size: str
) -> None:
    page = open_browser().new_page()
    problems = watch_problems(page)
    link = seed_001_link(portero, f"slot-ctl-{size}")
    if size == "iframe":
        page.set_viewport_size({"width": 640, "height": 480})
        page.goto(partner_site.page_embedding(link))  # 480x360
        frame = game_frame(page)
    else:
        page.set_viewport_size(PHONE if size == "phone" else LAPTOP)
        page.goto(link)
        frame = page.main_frame
    photograph_the_states(page, frame, portero, size)
    # The reels, the win and the round button fit without scrolling.
    for part in ("#machine", "#win", "#spin"):
        bottom = frame.evaluate(f"document.querySelector('{part}').getBoundingClientRect().bottom")
        assert bottom <= frame.evaluate("window.innerHeight"), (part, bottom)
    assert problems == []
