"""The slot game of a seamless partner in headless Chromium: a seed 001 link opened in the
partner's iframe plays against the sandbox wallet (a real One Wallet server on loopback, which
the `portero serve` process calls). The page shows the balance the wallet holds, the
wallet's refusal for funds, and the end of the session when the wallet ends it; a demo
partner's page labels its play money."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Frame, Page
from playwright.sync_api import expect as pw_expect

from tests.e2e.test_slot_browser import balance, seed_001_link, spin, wait_for_game
from tests.support.browsing import (
    ARTIFACTS,
    OpenBrowser,
    PartnerSite,
    Portero,
    game_frame,
    watch_problems,
)
from tests.support.sandbox import RunningSandbox, sandbox_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with sandbox_server() as running:
        yield running


@pytest.fixture(scope="module")
def seamless(portero: Portero, partner_site: PartnerSite, sandbox: RunningSandbox) -> Portero:
    """A second partner of the same server, whose players' money is in the sandbox wallet."""
    created = json.loads(portero.cli("partner", "create", "Seamless casino", "--json"))
    partner = str(created["id"])
    portero.cli(
        "partner", "configure", partner, "--products", "roulette,slot",
        "--frame-ancestors", partner_site.origin, "--language", "es",
    )  # fmt: skip
    portero.cli(
        "partner", "wallet", partner, "--mode", "seamless", "--url", sandbox.base_url,
        "--auth-token", sandbox.auth_token,
    )  # fmt: skip
    return Portero(portero.base_url, portero.env, created["id"], created["token"])


def wallet_balance(sandbox: RunningSandbox, user: str) -> int:
    return int(sandbox.wallet.balance(user, "EUR") * 100)


def open_game(page: Page, partner_site: PartnerSite, link: str) -> Frame:
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(partner_site.page_embedding(link, size=(960, 760)))
    frame = game_frame(page)
    wait_for_game(frame)
    return frame


def test_the_page_shows_the_balance_the_wallet_holds_round_after_round(
    seamless: Portero,
    sandbox: RunningSandbox,
    partner_site: PartnerSite,
    open_browser: OpenBrowser,
) -> None:
    user = "seamless-" + uuid4().hex[:6]
    sandbox.wallet.set_balance(user, "EUR", Decimal("321.40"))
    page = open_browser().new_page()
    problems = watch_problems(page)
    frame = open_game(page, partner_site, seed_001_link(seamless, user))
    assert balance(frame) == 32_140
    pw_expect(frame.locator("#play-money")).to_be_hidden()  # real money: no label
    for _ in range(3):
        result = spin(page, frame, seamless)
        assert result["spin"]["win_pending"] is False
        assert balance(frame) == result["balance"] == wallet_balance(sandbox, user)
    moved = [t for t in sandbox.wallet.snapshot()["transactions"] if t["user_id"] == user]
    assert [t["kind"] for t in moved] == ["debit", "credit"] * 3
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "slot-seamless.png")
    assert problems == []


def test_a_debit_refused_for_funds_shows_the_message_and_moves_nothing(
    seamless: Portero,
    sandbox: RunningSandbox,
    partner_site: PartnerSite,
    open_browser: OpenBrowser,
) -> None:
    user = "poor-" + uuid4().hex[:6]
    page = open_browser().new_page()
    frame = open_game(page, partner_site, seed_001_link(seamless, user))
    sandbox.wallet.set_balance(user, "EUR", Decimal("0.10"))  # spent elsewhere meanwhile
    with page.expect_response(lambda r: r.url.endswith("/play/api/slots/spins")) as answer:
        frame.locator("#spin").click()
    assert answer.value.status == 409
    pw_expect(frame.locator("#message")).to_have_text("La apuesta supera tu saldo.")
    pw_expect(frame.locator("#spin")).to_be_enabled()
    assert wallet_balance(sandbox, user) == 10
    moved = [t for t in sandbox.wallet.snapshot()["transactions"] if t["user_id"] == user]
    assert [(t["kind"], t["status"]) for t in moved] == [("debit", "INSUFFICIENT_FUNDS")]


def test_a_fatal_status_of_the_wallet_ends_the_page(
    seamless: Portero,
    sandbox: RunningSandbox,
    partner_site: PartnerSite,
    open_browser: OpenBrowser,
) -> None:
    user = "gone-" + uuid4().hex[:6]
    page = open_browser().new_page()
    frame = open_game(page, partner_site, seed_001_link(seamless, user))
    sandbox.wallet.invalidate_sids(user)  # the operator logged the player out
    frame.locator("#spin").click()
    pw_expect(frame.locator("#ended")).to_be_visible()
    pw_expect(frame.locator("#ready")).to_be_hidden()
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "slot-seamless-ended.png")
    with page.expect_response(lambda r: r.url.endswith("/play/api/session")):
        frame.evaluate("location.reload()")  # the game reloaded in its frame: still ended
    pw_expect(game_frame(page).locator("#ended")).to_be_visible()


def test_play_money_is_labelled_beside_the_balance(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    frame = open_game(page, partner_site, seed_001_link(portero, "demo-" + uuid4().hex[:6]))
    badge = frame.locator("#play-money")
    pw_expect(badge).to_be_visible()
    pw_expect(badge).to_have_text("Dinero de juego")
    assert httpx.get(f"{portero.base_url}/healthz", timeout=5).status_code == 200
