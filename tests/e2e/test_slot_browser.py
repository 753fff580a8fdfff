"""The slot games in headless Chromium: seed 001 links (LuckyMonaco's session API), opened in the
partner's iframe and on a phone, played for real against the server (see browsing.py for the
set-up). Every win the page shows is recomputed here from the spin's reel stops alone."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Frame, Page, Route
from playwright.sync_api import expect as pw_expect
from sqlalchemy import create_engine, update

from portero.launches.models import Launch
from portero.slots.games import engine
from portero.slots.games.catalogue import games
from portero.slots.games.rules import evaluate, window_at
from portero.slots.rounds import outcome_record
from tests.support.browsing import (
    ARTIFACTS,
    NICKNAME,
    OpenBrowser,
    PartnerSite,
    Portero,
    game_frame,
    watch_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPINS = "/play/api/slots/spins"
SHOWN_WINDOW = """() => Array.from(document.querySelectorAll("#reels .reel"), (reel) =>
    Array.from(reel.querySelectorAll(".cell[data-row]"), (cell) => cell.dataset.symbol))"""


def seed_001_link(
    portero: Portero,
    user_id: str,
    *,
    game_id: str = "monaco-nights",
    language: str = "es",
    currency: str = "EUR",
) -> str:
    """A slot session requested exactly as seed 001's document shows."""
    response = httpx.post(
        f"{portero.base_url}/api/session?MEMB_ID={portero.partner_id}&HASH={portero.partner_token}",
        json={
            "uuid": str(uuid4()),
            "gametype": "slot",
            "gameid": game_id,
            "player": {
                "id": user_id,
                "nickname": NICKNAME,
                "language": language,
                "currency": currency,
                "session": {"id": "s1", "ip": "203.0.113.7"},
            },
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    assert url.startswith(f"{portero.base_url}/luckymonaco/index.html?token="), url
    return url


def balance(frame: Frame) -> int:
    return int(frame.locator("#balance").get_attribute("data-minor") or "")


def bet(frame: Frame) -> int:
    return int(frame.locator("#bet").get_attribute("data-minor") or "")


def choose_bet(frame: Frame, minor: int) -> None:
    """Step the bet down or up until it is `minor` (one of the game's levels)."""
    for _ in range(20):
        if bet(frame) == minor:
            return
        step = "#bet-up" if bet(frame) < minor else "#bet-down"
        shown = bet(frame)
        frame.locator(step).click()
        pw_expect(frame.locator("#bet")).not_to_have_attribute("data-minor", str(shown))
    raise AssertionError(f"the bet never reached {minor}")


def wait_for_game(frame: Frame) -> None:
    pw_expect(frame.locator("#ready")).to_be_visible()
    pw_expect(frame.locator("#balance")).not_to_have_attribute("data-minor", "")
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)
    pw_expect(frame.locator("#reels .cell[data-row]").first).to_be_visible()


def engine_win(record: dict[str, Any]) -> int:
    """The spin's win from its stops alone: the game's rules on each window, free spins at the
    feature's multiplier, in credits of the bet's value."""
    game = games()[record["game_id"]]
    credit_value: int = record["bet"] // game.bet_multiplier
    multiplier = game.free_spins.multiplier if game.free_spins else 1
    base = evaluate(game, window_at(game, record["base"]["stops"]))
    credits = base.credits
    awarded = base.free_spins
    for free_spin in record["free_spins"]:
        played = evaluate(game, window_at(game, free_spin["stops"]))
        credits += played.credits * multiplier
        awarded += played.free_spins if game.free_spins and game.free_spins.retrigger else 0
    assert len(record["free_spins"]) == awarded  # every free spin awarded was played, no more
    return credits * credit_value


def last_shown(record: dict[str, Any]) -> dict[str, Any]:
    """The reel spin left on screen: the last free spin, or the base game's."""
    shown: dict[str, Any] = (record["free_spins"] or [record["base"]])[-1]
    return shown


def spin(page: Page, frame: Frame, portero: Portero) -> dict[str, Any]:
    """Press Spin; the server's answer once the page has shown the spin (and its free spins)."""
    with page.expect_response(
        lambda r: r.url == f"{portero.base_url}{SPINS}" and r.request.method == "POST"
    ) as answer:
        frame.locator("#spin").click()
    assert answer.value.status == 200, answer.value.text()
    result: dict[str, Any] = answer.value.json()
    record = result["spin"]
    # A few seconds for the reels, a few more for each free spin shown.
    shown_within = 10_000 + 3_000 * len(record["free_spins"])
    pw_expect(frame.locator("#win")).to_have_attribute(
        "data-spin", record["id"], timeout=shown_within
    )
    return result


def test_a_seed_001_player_spins_and_sees_exactly_the_engines_result(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    link = seed_001_link(portero, "slot-301")
    page = open_browser().new_page()
    page.set_viewport_size({"width": 1000, "height": 900})
    problems = watch_problems(page)
    page.goto(partner_site.page_embedding(link, size=(960, 760)))
    frame = game_frame(page)
    wait_for_game(frame)
    assert frame.evaluate("document.documentElement.lang") == "es"
    pw_expect(frame.locator("#game-name")).to_have_text("Noches de Mónaco")

    game = games()["monaco-nights"]
    start = balance(frame)
    levels = [value * game.bet_multiplier for value in game.credit_values["EUR"]]
    pw_expect(frame.locator("#bet")).to_have_attribute("data-minor", str(levels[0]))
    frame.locator("#bet-up").click()
    played_bet = levels[1]
    pw_expect(frame.locator("#bet")).to_have_attribute("data-minor", str(played_bet))
    # The paytable pays in money at the chosen bet: credits times the credit value.
    top = game.symbols[0]
    pw_expect(
        frame.locator(f"#pays tr[data-symbol='{top.code}'] td[data-count='5']")
    ).to_have_attribute("data-minor", str(top.pays[5] * played_bet // game.bet_multiplier))

    result = spin(page, frame, portero)
    record = result["spin"]
    assert (record["bet"], record["game_id"], record["currency"]) == (played_bet, game.id, "EUR")
    win = engine_win(record)
    assert win == record["win"]
    expected = start - played_bet + win
    assert result["balance"] == expected
    pw_expect(frame.locator("#balance")).to_have_attribute("data-minor", str(expected))
    pw_expect(frame.locator("#win")).to_have_attribute("data-minor", str(win))

    # The reels stopped on the server's window, which is the one its stops give, and what won
    # there is marked: every winning position, and a drawn line for each line win.
    shown = last_shown(record)
    stops = shown["stops"]
    assert frame.evaluate(SHOWN_WINDOW) == window_at(game, stops) == shown["window"]
    positions = {(reel, row) for w in shown["wins"] for reel, row in w["positions"]}
    pw_expect(frame.locator("#reels .cell.hit")).to_have_count(len(positions))
    line_wins = [w for w in shown["wins"] if w["kind"] == "line"]
    pw_expect(frame.locator("#paylines polyline")).to_have_count(len(line_wins))
    pw_expect(frame.locator("#wins li")).to_have_count(len(shown["wins"]))
    pw_expect(frame.locator("#spins tr").first).to_have_attribute("data-spin", record["id"])
    pw_expect(frame.locator("#spin")).to_be_enabled()

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "slot-game.png")
    assert problems == []


def test_a_japanese_phone_player_sees_whole_yen_and_the_published_rtp(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    game = games()["jade-ways"]
    page = open_browser().new_page()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.emulate_media(reduced_motion="reduce")  # the reels land at once, free spins still pace
    page.goto(
        seed_001_link(portero, "slot-302", game_id="jade-ways", language="ja", currency="JPY")
    )
    frame = page.main_frame
    wait_for_game(frame)
    assert frame.evaluate("document.documentElement.lang") == "ja"
    pw_expect(page.locator("#game-name")).to_have_text(game.names["ja"])
    pw_expect(page.locator("#spin")).to_have_text("スピン")
    pw_expect(page.locator(".balance")).to_contain_text("残高")
    whole_yen = re.compile(r"^[¥￥]\s?\d{1,3}(,\d{3})*$")
    pw_expect(page.locator("#balance")).to_have_text(whole_yen)
    levels = [value * game.bet_multiplier for value in game.credit_values["JPY"]]
    for level in levels:  # every level, stepped through with +, in whole yen
        choose_bet(frame, level)
        assert whole_yen.match(page.locator("#bet").inner_text()), level
    pw_expect(page.locator("#bet-up")).to_be_disabled()
    choose_bet(frame, levels[1])
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("#paytable summary").click()
    rtp = f"{game.published.rtp * 100:.2f}%"
    pw_expect(page.locator("#rtp")).to_contain_text(rtp)
    assert page.locator("#rtp").get_attribute("data-rtp") == str(game.published.rtp)
    pw_expect(page.locator("#paytable summary")).to_have_text("配当表とルール")
    pw_expect(page.locator("#play-rule")).to_contain_text("1,024ウェイズ")

    start = balance(frame)
    result = spin(page, frame, portero)
    assert engine_win(result["spin"]) == result["spin"]["win"]
    expected = start - levels[1] + result["spin"]["win"]
    pw_expect(page.locator("#balance")).to_have_attribute("data-minor", str(expected))
    pw_expect(page.locator("#balance")).to_have_text(whole_yen)
    pw_expect(page.locator("#win")).to_have_text(whole_yen)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "slot-game-phone-ja.png", full_page=True)


def test_a_spin_lost_on_the_way_is_retried_as_the_same_spin(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    page = open_browser().new_page()
    page.goto(partner_site.page_embedding(seed_001_link(portero, "slot-303")))  # 480x360
    frame = game_frame(page)
    wait_for_game(frame)
    # The reels, the win and the Spin button fit the small iframe without scrolling.
    for part in ("#machine", "#win", "#spin"):
        bottom = frame.evaluate(f"document.querySelector('{part}').getBoundingClientRect().bottom")
        assert bottom <= frame.evaluate("window.innerHeight"), (part, bottom)
    start = balance(frame)
    sent: list[dict[str, Any]] = []

    def lost(route: Route) -> None:
        sent.append(route.request.post_data_json or {})
        route.abort("connectionreset")

    page.route(f"{portero.base_url}{SPINS}", lost)
    frame.locator("#spin").click()
    pw_expect(frame.locator("#spin")).to_have_text("Repetir tirada")
    pw_expect(frame.locator("#message")).to_contain_text("no llegó al juego")
    # The bet being played stays as it is until the spin is known.
    pw_expect(frame.locator("#bet-up")).to_be_disabled()
    pw_expect(frame.locator("#bet-down")).to_be_disabled()

    page.unroute(f"{portero.base_url}{SPINS}", lost)
    with page.expect_response(
        lambda r: r.url == f"{portero.base_url}{SPINS}" and r.request.method == "POST"
    ) as answer:
        frame.locator("#spin").click()
    assert answer.value.request.post_data_json == sent[0]  # same spin id, same bet
    record = answer.value.json()["spin"]
    assert record["spin_id"] == sent[0]["spin_id"]
    pw_expect(frame.locator("#win")).to_have_attribute(
        "data-spin", record["id"], timeout=10_000 + 3_000 * len(record["free_spins"])
    )
    expected = start - sent[0]["bet"] + engine_win(record)
    pw_expect(frame.locator("#balance")).to_have_attribute("data-minor", str(expected))
    pw_expect(frame.locator("#spin")).to_have_text("Girar")
    pw_expect(frame.locator("#bet-up")).to_be_enabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("iframe#game").screenshot(path=ARTIFACTS / "slot-game-small-iframe.png")


def outcome_with_free_spins(game_id: str) -> engine.Outcome:
    """A real engine outcome that triggers free spins (about 1 spin in 124 does), found from
    seeded draws."""
    game = games()[game_id]
    for seed in range(10_000):
        draws = random.Random(seed)
        outcome = engine.play(game, draws.randrange)
        if len(outcome.free_spins) >= 3:
            return outcome
    raise AssertionError("no free spins in 10,000 seeded spins")


def test_free_spins_play_one_after_another_and_can_be_skipped(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """Free spins are too rare to wait for, so the spin's answer is a real engine outcome with
    free spins, recorded as the server records it, handed to the page in place of the server's."""
    game = games()["monaco-nights"]
    outcome = outcome_with_free_spins(game.id)
    page = open_browser().new_page()
    page.goto(seed_001_link(portero, "slot-304"))
    wait_for_game(page.main_frame)
    start = balance(page.main_frame)
    played_bet = bet(page.main_frame)
    credit_value = played_bet // game.bet_multiplier
    win = outcome.credits * credit_value
    played = outcome_record(outcome, credit_value)

    def answer(route: Route) -> None:
        request: dict[str, Any] = route.request.post_data_json or {}
        record = {
            "id": "spn_free_spins_test",
            "spin_id": request["spin_id"],
            "created_at": datetime.now(UTC).isoformat(),
            "game_id": game.id,
            "currency": "EUR",
            "minor_units": 2,
            "bet": played_bet,
            "win": win,
            "balance_after": start - played_bet + win,
            **played,
        }
        route.fulfill(json={"spin": record, "balance": start - played_bet + win, "replayed": False})

    page.route(f"{portero.base_url}{SPINS}", answer)
    page.locator("#spin").click()
    count = len(outcome.free_spins)
    pw_expect(page.locator("#free-spins")).to_contain_text("Tirada gratis 1 de", timeout=10_000)
    pw_expect(page.locator("#free-spins")).to_contain_text("premios \u00d72")
    # The one button is Skip while the free spins are shown (answered: nothing to retry).
    pw_expect(page.locator("#spin")).to_have_text("Saltar")
    pw_expect(page.locator("#spin")).to_have_attribute("data-role", "skip")
    pw_expect(page.locator("#machine")).to_have_class(re.compile(r"\bfeature\b"))
    page.locator("#spin").click()
    pw_expect(page.locator("#win")).to_have_attribute("data-spin", "spn_free_spins_test")
    pw_expect(page.locator("#free-spins")).to_have_attribute("data-count", str(count))
    free_won = sum(spin.credits for spin in outcome.free_spins) * credit_value
    euros = f"{free_won / 100:.2f}".replace(".", ",")  # Spanish: 1,20 €
    pw_expect(page.locator("#free-spins")).to_have_text(
        re.compile(f"^{count} tiradas gratis: {euros}")
    )
    pw_expect(page.locator("#balance")).to_have_attribute(
        "data-minor", str(start - played_bet + win)
    )
    pw_expect(page.locator("#win")).to_have_attribute("data-minor", str(win))
    assert page.evaluate(SHOWN_WINDOW) == outcome.free_spins[-1].window
    pw_expect(page.locator("#spin")).to_have_text("Girar")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "slot-free-spins.png")


def test_a_currency_the_game_does_not_offer_gets_a_clear_page(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """A launch in Bahraini dinars, issued before its game stopped offering them (new ones are
    refused; here the launch's currency is changed in the database): the game offers no bets in
    BHD, which no retry can change, so the page says so instead of offering one."""
    created = httpx.post(
        f"{portero.base_url}/v1/launches",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json={
            "product": "slot",
            "params": {"game_id": "monaco-nights"},
            "player": {"id": "bhd-player", "language": "en", "currency": "EUR"},
            "return_url": "https://lobby.example/games",
        },
        timeout=5,
    )
    assert created.status_code == 201, created.text
    database = create_engine(portero.env["PORTERO_DATABASE_URL"])
    try:
        with database.begin() as connection:
            connection.execute(
                update(Launch).where(Launch.id == created.json()["id"]).values(currency="BHD")
            )
    finally:
        database.dispose()
    page = open_browser().new_page()
    page.goto(created.json()["url"])
    pw_expect(page.locator("#unavailable")).to_be_visible()
    pw_expect(page.locator("#unavailable p").first).to_have_text(
        "This game is not offered in your currency. Go back to the site that sent you."
    )
    pw_expect(page.locator("#error")).to_be_hidden()
    back = page.locator("#unavailable .way-back a")  # the dead end has a way out
    pw_expect(back).to_be_visible()
    pw_expect(back).to_have_attribute("href", "https://lobby.example/games")
