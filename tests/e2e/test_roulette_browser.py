"""The roulette table in headless Chromium: a seed 000 link, opened in the partner's iframe,
played for real against the server (see browsing.py for the set-up)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Frame, Route
from playwright.sync_api import expect as pw_expect

from portero.roulette import fairness
from portero.roulette.bets import Bet, BetType, covered_numbers
from tests.support.browsing import (
    ARTIFACTS,
    NICKNAME,
    OpenBrowser,
    PartnerSite,
    Portero,
    game_frame,
    watch_problems,
)
from tests.support.roulette_table import spin

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPINS = "/play/api/roulette/spins"
SEED_000_SESSION_EXPIRED = {
    "status": "ERROR",
    "code_error": "511",
    "description": "Session Expired -  No Content",
}


def seed_000_link(portero: Portero, user_id: str) -> str:
    """A roulette session requested exactly as seed 000's document shows (form parameters)."""
    response = httpx.post(
        f"{portero.base_url}/1.0/request_session",
        data={
            "TokenId": portero.partner_token,
            "ClientId": str(portero.partner_id),
            "UserId": user_id,
            "UserName": NICKNAME,
            "UserEmail": "estarly@example.com",
        },
        timeout=5,
    )
    body = response.json()
    assert body["status"] == "OK", body
    url: str = body["url"]
    assert url.startswith(f"{portero.base_url}/1.0/request/accepted/")
    return url


def balance(frame: Frame) -> int:
    return int(frame.locator("#balance").get_attribute("data-minor") or "")


def wait_for_table(frame: Frame) -> None:
    pw_expect(frame.locator("#ready")).to_be_visible()
    pw_expect(frame.locator("#balance")).not_to_have_attribute("data-minor", "")
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)


def engine_return(bets: list[Bet], number: int) -> int:
    return sum(bet.returns(number) for bet in bets)


def test_a_seed_000_player_bets_spins_and_sees_exactly_the_engines_result(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    link = seed_000_link(portero, "238")
    page = open_browser().new_page()
    page.set_viewport_size({"width": 1000, "height": 900})
    problems = watch_problems(page)
    page.goto(partner_site.page_embedding(link, size=(960, 760)))
    frame = game_frame(page)
    wait_for_table(frame)
    assert frame.evaluate("document.documentElement.lang") == "es"

    start = balance(frame)
    # The balance's digits are of one width and never wrap: a new balance does not jump.
    style = frame.locator("#balance").evaluate(
        "e => [getComputedStyle(e).fontVariantNumeric, getComputedStyle(e).whiteSpace]"
    )
    assert style == ["tabular-nums", "nowrap"]
    commitment = frame.locator("#commitment").text_content()
    chip = int(frame.locator("#chips input").first.get_attribute("value") or "")
    frame.locator("[data-bet='red:']").click()
    frame.locator("[data-bet='straight:17']").click()
    frame.locator("[data-bet='straight:17']").click()  # two chips on 17
    pw_expect(frame.locator("#stake")).to_have_attribute("data-minor", str(3 * chip))

    result = spin(page, frame, portero)
    number = int(frame.locator("#result").get_attribute("data-number") or "")
    fair = result["round"]["fairness"]
    # The number on the page is the one the revealed, committed seeds give.
    assert fair["server_seed_hash"] == commitment
    assert fairness.commitment(fair["server_seed"]) == commitment
    assert fairness.draw(fair["server_seed"], fair["client_seed"], fair["nonce"]) == number
    placed = [
        Bet(BetType.red, covered_numbers(BetType.red), chip),
        Bet(BetType.straight, frozenset({17}), 2 * chip),
    ]
    expected = start - 3 * chip + engine_return(placed, number)
    pw_expect(frame.locator("#balance")).to_have_attribute("data-minor", str(expected))
    # The message gives the return and the net, each right: a round that returns less than
    # its stakes is a loss, whatever it returned.
    net = engine_return(placed, number) - 3 * chip
    told = frame.locator("#outcome")
    pw_expect(told).to_have_attribute("data-net", str(net))
    pw_expect(told).to_have_attribute("data-returned", str(engine_return(placed, number)))
    sign = "+" if net > 0 else "\u2212" if net < 0 else ""
    pw_expect(told).to_contain_text(f"neto {sign}")
    pw_expect(frame.locator("#last-numbers li").first).to_have_text(str(number))

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "roulette-table.png")

    # The table's own page reloads (not the partner page, which would reopen the one-time
    # link): the session, the balance and the history are still there, and play goes on.
    frame.evaluate("window.beforeReload = true")
    frame.evaluate("setTimeout(() => location.reload())")
    wait_for_table(frame)
    assert frame.evaluate("window.beforeReload === undefined"), "the frame was not reloaded"
    assert balance(frame) == expected
    pw_expect(frame.locator("#last-numbers li").first).to_have_text(str(number))
    pw_expect(frame.locator("#rounds tr")).to_have_count(1)

    frame.locator("[data-bet='dozen:2']").click()
    again = spin(page, frame, portero)
    second = again["round"]["number"]
    dozen = [Bet(BetType.dozen, covered_numbers(BetType.dozen, target=2), chip)]
    after = expected - chip + engine_return(dozen, second)
    pw_expect(frame.locator("#balance")).to_have_attribute("data-minor", str(after))
    assert again["round"]["fairness"]["nonce"] == fair["nonce"] + 1

    # The page's own verifier recomputes the newest round from its seeds.
    frame.locator("#history summary").click()
    frame.locator("#rounds tr").first.locator(".verify").click()
    pw_expect(frame.locator("#rounds tr").first.locator(".verdict")).to_have_text(
        f"Verificado: estas semillas dan el {second}"
    )
    assert problems == []


def test_the_table_starts_when_the_session_loaded_before_its_script(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """The page's script may run after the play session has loaded (a slow script, a busy
    machine): the table must start all the same. The script is held until the session's
    answer has arrived, then let through."""
    page = open_browser().new_page()
    held: list[Route] = []
    page.route("**/static/roulette.js", lambda route: held.append(route))
    with page.expect_response(lambda answer: answer.url.endswith("/play/api/session")):
        page.goto(seed_000_link(portero, "240"), wait_until="commit")
    pw_expect(page.locator("#ready")).to_be_visible()  # the session is shown, script or not
    assert len(held) == 1
    held[0].continue_()
    wait_for_table(page.main_frame)
    assert balance(page.main_frame) > 0


def test_an_illegal_combination_is_refused_on_the_page(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(seed_000_link(portero, "239"))
    wait_for_table(page.main_frame)
    page.locator("#combine").check()
    page.locator("[data-bet='straight:1']").click()
    page.locator("[data-bet='straight:5']").click()  # diagonal: no such split
    page.locator("#place-combination").click()
    pw_expect(page.locator("#message")).to_have_text(
        "Esos números no forman una apuesta en esta mesa."
    )
    pw_expect(page.locator("#stake")).to_have_attribute("data-minor", "0")
    # 1 and 5 stay selected; with 2 and 4 they make a corner.
    page.locator("[data-bet='straight:2']").click()
    page.locator("[data-bet='straight:4']").click()
    page.locator("#place-combination").click()
    pw_expect(page.locator("#placed li")).to_have_text(["Cuadro 1-2-4-5 \u00d7 1,00 €"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "roulette-table-phone.png", full_page=True)


def test_an_ended_session_shows_a_clear_page_and_the_api_answers_511(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.goto(seed_000_link(portero, "240"))
    wait_for_table(page.main_frame)
    ended = page.evaluate(
        "window.porteroSession.fetch('/play/api/session/end', {method: 'POST'}).then(r => r.status)"
    )
    assert ended == 200
    api = page.evaluate(
        "window.porteroSession.fetch('/play/api/roulette/table').then(r => r.json())"
    )
    assert api == SEED_000_SESSION_EXPIRED
    page.reload()
    pw_expect(page.locator("#ended")).to_be_visible()
    pw_expect(page.locator("#ended h1")).to_have_text("Tu sesión ha terminado")
    pw_expect(page.locator("#ready")).to_be_hidden()


def test_a_spin_lost_on_the_way_is_retried_as_the_same_round(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.goto(seed_000_link(portero, "241"))
    wait_for_table(page.main_frame)
    start = balance(page.main_frame)
    page.locator("[data-bet='black:']").click()
    sent: list[dict[str, Any]] = []

    def lost(route: Any) -> None:
        sent.append(route.request.post_data_json)
        route.abort("connectionreset")

    page.route(f"{portero.base_url}{SPINS}", lost)
    page.locator("#spin").click()
    pw_expect(page.locator("#spin")).to_have_text("Repetir tirada")
    pw_expect(page.locator("#message")).to_contain_text("no llegó a la mesa")
    # The bets being played stay as they are until the round is known.
    page.locator("[data-bet='red:']").click()
    pw_expect(page.locator("#stake")).to_have_attribute(
        "data-minor", str(sent[0]["bets"][0]["amount"])
    )
    assert page.locator("#client-seed").is_disabled()

    page.unroute(f"{portero.base_url}{SPINS}", lost)
    with page.expect_request(f"{portero.base_url}{SPINS}") as retry:
        page.locator("#spin").click()
    assert retry.value.post_data_json == sent[0]  # same round id, same bets
    pw_expect(page.locator("#result")).not_to_have_attribute("data-number", "", timeout=10_000)
    number = int(page.locator("#result").get_attribute("data-number") or "")
    chip = sent[0]["bets"][0]["amount"]
    black = Bet(BetType.black, covered_numbers(BetType.black), chip)
    expected = start - chip + black.returns(number)
    pw_expect(page.locator("#balance")).to_have_attribute("data-minor", str(expected))
    pw_expect(page.locator("#spin")).to_have_text("Girar")
