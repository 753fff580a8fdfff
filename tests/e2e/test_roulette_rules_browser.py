"""The roulette table's words in headless Chromium: the outcome of a round (its return and its
net, for a win, a partial win, stakes back and a loss) and the payouts and rules panel."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Frame, Page, ViewportSize
from playwright.sync_api import expect as pw_expect

from portero.roulette.bets import PAYOUT, BetType
from tests.e2e.test_roulette_browser import balance, seed_000_link, wait_for_table
from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero
from tests.support.roulette_table import CHIP, rig, spin

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = ViewportSize(width=390, height=844)
LAPTOP = ViewportSize(width=1366, height=768)


def outcome_after(page: Page, frame: Frame, portero: Portero, bets: list[str]) -> dict[str, Any]:
    rig(frame, portero, 17)
    for bet in bets:
        frame.locator(f"[data-bet='{bet}']").click()
    return spin(page, frame, portero)


@pytest.mark.parametrize(
    ("bets", "kind", "returned", "text"),
    [
        (["straight:17"], "win", 36, "17: recuperas 36,00 € de 1,00 € apostados, neto +35,00 €"),
        (
            ["black:", "straight:5", "straight:6"],
            "partial",
            2,
            "17: recuperas 2,00 € de 3,00 € apostados, neto \u22121,00 €",
        ),
        (["black:", "red:"], "partial", 2, "17: recuperas 2,00 € de 2,00 € apostados, neto 0,00 €"),
        (["red:", "even:"], "loss", 0, "17: sin premio esta vez, neto \u22122,00 €"),
    ],
    ids=["win", "partial-win", "stakes-back", "loss"],
)
def test_the_outcome_gives_the_return_and_the_net(
    portero: Portero,
    open_browser: OpenBrowser,
    bets: list[str],
    kind: str,
    returned: int,
    text: str,
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size(LAPTOP)
    page.goto(seed_000_link(portero, f"31{len(bets)}{kind}"))
    frame = page.main_frame
    wait_for_table(frame)
    start = balance(frame)
    played = outcome_after(page, frame, portero, bets)
    staked = len(bets) * CHIP
    assert (played["round"]["total_stake"], played["round"]["total_return"]) == (
        staked,
        returned * CHIP,
    )
    told = frame.locator("#outcome")
    pw_expect(told).to_have_text(text)
    pw_expect(told).to_have_attribute("data-returned", str(returned * CHIP))
    pw_expect(told).to_have_attribute("data-net", str(returned * CHIP - staked))
    pw_expect(told).to_have_attribute("data-kind", kind)
    pw_expect(frame.locator("#balance")).to_have_attribute(
        "data-minor", str(start - staked + returned * CHIP)
    )
    ARTIFACTS.mkdir(exist_ok=True)
    net = "up" if returned * CHIP > staked else "even" if returned * CHIP == staked else "down"
    page.screenshot(path=ARTIFACTS / f"roulette-laptop-outcome-{kind}-{net}.png")


def test_the_payouts_and_rules_list_every_bet_its_payout_the_limits_and_the_rtp(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    for size, name in ((LAPTOP, "laptop"), (PHONE, "phone")):
        page = open_browser().new_page()
        page.set_viewport_size(size)
        page.goto(seed_000_link(portero, f"33{name}"))
        frame = page.main_frame
        wait_for_table(frame)
        rules = frame.locator("#rules")
        pw_expect(rules).to_be_hidden()
        frame.locator("#rules-open").click()
        pw_expect(rules).to_be_visible()
        rows = rules.locator("#paytable tbody tr")
        listed = {
            row.get_attribute("data-type"): row.locator(".pays").text_content()
            for row in rows.all()
        }
        assert listed == {t.value: f"{PAYOUT[t]}:1" for t in BetType}
        pw_expect(rows.filter(has_text="Pleno")).to_contain_text("35:1")
        pw_expect(rows.filter(has_text="Seisena")).to_contain_text("5:1")
        pw_expect(frame.locator("#rtp")).to_contain_text("97,30 %")
        pw_expect(frame.locator("#rules-min")).to_have_text("1,00 €")
        pw_expect(frame.locator("#rules-max")).to_have_text("500,00 €")
        page.screenshot(path=ARTIFACTS / f"roulette-{name}-rules.png")
        frame.locator("#rules-close").click()
        pw_expect(rules).to_be_hidden()
        page.keyboard.press("Escape")  # nothing else open: Escape changes nothing
        pw_expect(frame.locator("#ready")).to_be_visible()
        page.close()
