"""The roulette table's play in headless Chromium, at a phone's size, in a small partner iframe
and on a laptop: after a spin the wheel, the number and the outcome are on screen with the Spin
button; the layout marks the number and the bets that won; Rebet and Double (see
tests/support/roulette_table.py for how a test chooses the number)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import FloatRect, Frame, Page, ViewportSize
from playwright.sync_api import expect as pw_expect

from portero.roulette.bets import Bet, BetType, covered_numbers
from tests.e2e.test_roulette_browser import seed_000_link, wait_for_table
from tests.support.browsing import (
    ARTIFACTS,
    NICKNAME,
    OpenBrowser,
    PartnerSite,
    Portero,
    open_in_partner_iframe,
    watch_problems,
)
from tests.support.roulette_table import (
    CHIP,
    box,
    inside,
    overlap,
    placed,
    rig,
    scroll_y,
    spin,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = ViewportSize(width=390, height=844)
LAPTOP = ViewportSize(width=1366, height=768)
IFRAME = (480, 360)


def assert_the_round_is_on_screen(frame: Frame, screen: FloatRect) -> None:
    """The wheel, its number, the outcome and the Spin button, all within `screen`, and the
    bar covering none of the stage."""
    wheel, spin_button = box(frame, "#wheel"), box(frame, "#spin")
    for name, found in [
        ("wheel", wheel),
        ("result", box(frame, "#result")),
        ("outcome", box(frame, "#outcome")),
        ("spin", spin_button),
    ]:
        assert inside(found, screen), f"the {name} is off screen: {found} not in {screen}"
    assert not overlap(box(frame, "#bar"), wheel), "the bar hides the wheel"
    assert not overlap(box(frame, "#bar"), box(frame, "#outcome")), "the bar hides the outcome"
    # Nothing lies over the wheel: what is at its centre belongs to the stage.
    centre = frame.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('#stage') !== null",
        [
            wheel["x"] - screen["x"] + wheel["width"] / 2,
            wheel["y"] - screen["y"] + wheel["height"] / 2,
        ],
    )
    assert centre, "something covers the wheel"


def assert_chips_leave_labels_readable(frame: Frame, *bets: str) -> None:
    for bet in bets:
        cell = frame.locator(f"[data-bet='{bet}']")
        label, chip = cell.locator(".label"), cell.locator(".chip-on")
        pw_expect(chip).to_be_visible()
        assert not overlap(box(frame, label), box(frame, chip)), (
            f"the chip on {bet} hides its label"
        )


def place_and_spin_on(page: Page, frame: Frame, portero: Portero, name: str) -> dict[str, Any]:
    """17 straight and its column (at the layout's far end), then Spin where the player is,
    without scrolling: nothing is pressed after Spin (a screenshot of the bets first). The round
    returns 36 + 3 chips."""
    rig(frame, portero, 17)
    frame.locator("[data-bet='straight:17']").click()
    frame.locator("[data-bet='column:2']").click()
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", str(2 * CHIP))
    assert_chips_leave_labels_readable(frame, "straight:17", "column:2")
    page.screenshot(path=ARTIFACTS / f"roulette-{name}-bets.png")
    played = spin(page, frame, portero)
    assert played["round"]["number"] == 17
    pw_expect(frame.locator("#outcome")).to_have_attribute("data-net", str(39 * CHIP - 2 * CHIP))
    return played


def test_on_a_phone_the_wheel_the_result_and_spin_are_on_screen_after_a_spin(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size(PHONE)
    problems = watch_problems(page)
    page.goto(seed_000_link(portero, "301"))
    frame = page.main_frame
    wait_for_table(frame)
    ARTIFACTS.mkdir(exist_ok=True)
    # The bar stays on screen wherever the layout is scrolled to.
    screen = FloatRect(x=0, y=0, width=PHONE["width"], height=PHONE["height"])
    page.screenshot(path=ARTIFACTS / "roulette-phone-table.png")
    frame.locator("[data-bet='straight:0']").scroll_into_view_if_needed()
    assert inside(box(frame, "#spin"), screen)
    place_and_spin_on(page, frame, portero, "phone")
    assert scroll_y(frame) > 0, "the layout was scrolled down to bet: the test means that"
    page.screenshot(path=ARTIFACTS / "roulette-phone-result.png")
    assert_the_round_is_on_screen(frame, screen)

    # A tap goes on: the layout shows the winning number and the bet that won.
    frame.locator("#stage").click()
    pw_expect(frame.locator("#stage")).to_have_attribute("data-open", "false")
    pw_expect(frame.locator(".cell.winner")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "roulette-phone-marks.png")
    assert problems == []


def test_in_a_small_partner_iframe_the_wheel_the_result_and_spin_are_on_screen_after_a_spin(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size({"width": 800, "height": 600})
    problems = watch_problems(page)
    link = seed_000_link(portero, "302")
    frame = open_in_partner_iframe(page, portero, partner_site.page_embedding(link, size=IFRAME))
    wait_for_table(frame)
    ARTIFACTS.mkdir(exist_ok=True)
    outer = page.locator("iframe#game").bounding_box()
    assert outer is not None
    # The frame's viewport: the iframe's box less its 2 px border.
    screen = FloatRect(x=outer["x"] + 2, y=outer["y"] + 2, width=IFRAME[0], height=IFRAME[1])
    assert frame.evaluate("[innerWidth, innerHeight]") == list(IFRAME)
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "roulette-iframe-table.png")
    place_and_spin_on(page, frame, portero, "iframe")
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "roulette-iframe-result.png")
    assert_the_round_is_on_screen(frame, screen)
    frame.locator("#stage-close").click()
    for mark in ("winner", "won"):
        pw_expect(frame.locator(f".cell.{mark}").first).to_have_attribute("data-bet", "straight:17")
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "roulette-iframe-marks.png")

    # The rules, in the frame: they fit it and close again.
    frame.locator("#rules-open").click()
    pw_expect(frame.locator("#rules")).to_be_visible()
    assert inside(box(frame, "#rules"), screen)
    assert inside(box(frame, "#rules-close"), screen)
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "roulette-iframe-rules.png")
    frame.locator("#rules-close").click()
    pw_expect(frame.locator("#rules")).to_be_hidden()
    assert problems == []


def test_the_layout_marks_the_number_and_the_bets_that_won_and_rebet_and_double_replay_them(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size(LAPTOP)
    problems = watch_problems(page)
    page.goto(seed_000_link(portero, "320"))
    frame = page.main_frame
    wait_for_table(frame)
    pw_expect(frame.locator("#rebet")).to_be_disabled()  # no round yet
    rig(frame, portero, 17)
    spots = ["straight:17", "red:", "black:", "odd:", "even:", "dozen:2", "column:1", "column:2"]
    for spot in spots:
        frame.locator(f"[data-bet='{spot}']").click()
    # A split of 17-20 and a corner of 1-2-4-5, from combined numbers.
    frame.locator("#combine").check()
    for numbers in ([17, 20], [1, 2, 4, 5]):
        for n in numbers:
            frame.locator(f"[data-bet='straight:{n}']").click()
        frame.locator("#place-combination").click()
    frame.locator("#combine").uncheck()
    before = placed(frame)
    assert len(before) == len(spots) + 2
    assert_chips_leave_labels_readable(frame, *spots)
    played = spin(page, frame, portero)

    # The number, and every bet that returned something: its cell, or a combination's numbers.
    pw_expect(frame.locator(".cell.winner")).to_have_count(1)
    pw_expect(frame.locator(".cell.winner")).to_have_attribute("data-bet", "straight:17")
    kept = {(b["type"], tuple(b["numbers"]), b["target"]): b for b in played["round"]["bets"]}
    engine = {
        key: Bet(BetType(key[0]), covered_numbers(BetType(key[0]), **_spot(key)), b["amount"])
        for key, b in kept.items()
    }
    assert all(engine[key].returns(17) == b["returned"] for key, b in kept.items())
    won = {"straight:17", "black:", "odd:", "dozen:2", "column:2", "straight:20"}
    marked = {cell.get_attribute("data-bet") for cell in frame.locator(".cell.won").all()}
    assert marked == won
    lost = {
        cell.get_attribute("data-bet") for cell in frame.locator(".cell:has(.chip-on.lost)").all()
    }
    assert lost == {"red:", "even:", "column:1"}
    pw_expect(frame.locator("#placed li")).to_have_count(0)  # the table is clear for the next
    page.screenshot(path=ARTIFACTS / "roulette-laptop-marks.png")

    # Rebet: the last round's bets, the same; the marks of the settled round go.
    frame.locator("#rebet").click()
    assert placed(frame) == before
    pw_expect(frame.locator("#stake")).to_have_attribute(
        "data-minor", str(played["round"]["total_stake"])
    )
    pw_expect(frame.locator(".cell.won")).to_have_count(0)
    # Double: every bet twice, and the next round plays exactly that.
    frame.locator("#double").click()
    pw_expect(frame.locator("#stake")).to_have_attribute(
        "data-minor", str(2 * played["round"]["total_stake"])
    )
    page.screenshot(path=ARTIFACTS / "roulette-laptop-double.png")
    again = spin(page, frame, portero)
    first = sorted(
        (b["type"], b.get("numbers"), b.get("target"), b["amount"])
        for b in played["request"]["bets"]
    )
    second = sorted(
        (b["type"], b.get("numbers"), b.get("target"), b["amount"] // 2)
        for b in again["request"]["bets"]
    )
    assert second == first
    assert problems == []


def _spot(key: tuple[str, tuple[int, ...], int | None]) -> dict[str, Any]:
    bet_type, numbers, target = key
    if BetType(bet_type) in (BetType.dozen, BetType.column):
        return {"target": target}
    if len(numbers) <= 6:
        return {"numbers": numbers}
    return {}


def test_double_is_refused_over_a_spots_limit_or_the_balance(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size(PHONE)
    page.goto(seed_000_link(portero, "321"))
    frame = page.main_frame
    wait_for_table(frame)
    pw_expect(frame.locator("#double")).to_be_disabled()  # nothing on the table
    frame.locator(".chip", has_text="500").click()  # the most one spot takes: 500,00 €
    frame.locator("[data-bet='red:']").click()
    frame.locator("#double").click()
    told = frame.locator("#message")
    pw_expect(told).to_have_text(
        "Al doblar, una casilla llevaría más de 500,00 €, el máximo por casilla."
    )
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", "50000")
    frame.locator("#clear").click()
    frame.locator(".chip", has_text="100").click()
    for spot in ("red:", "black:", "even:", "odd:", "low:", "high:"):  # 600 of the 1000 €
        frame.locator(f"[data-bet='{spot}']").click()
    frame.locator("#double").click()
    pw_expect(told).to_have_text("Al doblar, tus apuestas sumarían más que tu saldo.")
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", "60000")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "roulette-phone-double-refused.png")
    # Undo takes back the last chip, as before the refusal.
    frame.locator("#undo").click()
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", "50000")


def test_double_is_refused_over_the_sessions_limit_per_round(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    response = httpx.post(
        f"{portero.base_url}/v1/launches",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json={
            "product": "roulette",
            "player": {"id": "322", "nickname": NICKNAME, "language": "es", "currency": "EUR"},
            "responsible_gaming": {"max_stake": 1000},  # 10,00 € a round
        },
        timeout=5,
    )
    assert response.status_code == 201, response.text
    page = open_browser().new_page()
    page.set_viewport_size(LAPTOP)
    page.goto(response.json()["url"])
    frame = page.main_frame
    wait_for_table(frame)
    frame.locator(".chip", has_text="5").first.click()
    frame.locator("[data-bet='red:']").click()
    frame.locator("#double").click()  # 10,00 €: the limit, not over it
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", "1000")
    frame.locator("#double").click()
    pw_expect(frame.locator("#message")).to_have_text(
        "Esta apuesta supera tu límite de 10,00 € por ronda."
    )
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", "1000")
