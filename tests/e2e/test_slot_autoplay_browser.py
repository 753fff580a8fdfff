"""Autoplay on the slot page in headless Chromium: a count of spins played for real (the server
records exactly that many rounds and the balance moves by them) with the spins left counted
down; each stop condition ends it at the spin that meets it (free spins won, one win over an
amount, the balance under an amount: the answers are real engine outcomes handed to the page in
place of the server's, so that the condition is certain), as do Stop, an error, a reality check
and the session's end; a launch with `responsible_gaming.autoplay` false shows no control."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Frame, Page, Request, Route
from playwright.sync_api import expect as pw_expect

from portero.slots.games import engine
from portero.slots.games.catalogue import games
from portero.slots.rounds import outcome_record
from tests.e2e.test_reality_check_browser import make_check_due
from tests.e2e.test_slot_browser import SPINS, balance, bet, wait_for_game
from tests.support.browsing import ARTIFACTS, NICKNAME, OpenBrowser, Portero

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GAME = games()["monaco-nights"]


def slot_launch(portero: Portero, player_id: str, limits: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {
        "product": "slot",
        "params": {"game_id": GAME.id},
        "player": {"id": player_id, "nickname": NICKNAME, "language": "es", "currency": "EUR"},
    }
    if limits is not None:
        body["responsible_gaming"] = limits
    return portero.native_link(body)


def open_game(
    open_browser: OpenBrowser, portero: Portero, player_id: str, **limits: Any
) -> tuple[Page, Frame]:
    page = open_browser().new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(reduced_motion="reduce")  # the reels land at once: quick rounds
    page.goto(slot_launch(portero, player_id, limits or None))
    wait_for_game(page.main_frame)
    return page, page.main_frame


def is_spin(request: Request) -> bool:
    return request.url.endswith(SPINS) and request.method == "POST"


def count_spins(page: Page) -> list[Request]:
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if is_spin(request) else None)
    return sent


def start_autoplay(frame: Frame, count: int, **stops: str | bool) -> None:
    """Open autoplay's choices, choose and start. `win`, `balance`: amounts in euros."""
    frame.locator("#autoplay").click()
    pw_expect(frame.locator("#autoplay-panel")).to_be_visible()
    frame.locator(f"#autoplay-form input[name=count][value='{count}']").check()
    frame.locator("#stop-feature").set_checked(bool(stops.get("feature", True)))
    frame.locator("#stop-win").fill(str(stops.get("win", "")))
    frame.locator("#stop-balance").fill(str(stops.get("balance", "")))
    frame.locator("#autoplay-start").click()
    pw_expect(frame.locator("#autoplay-panel")).to_be_hidden()


def stopped_by(frame: Frame, reason: str, timeout: float = 30_000) -> None:
    deck = frame.locator("#deck")
    pw_expect(deck).to_have_attribute("data-autoplay-stop", reason, timeout=timeout)
    pw_expect(deck).to_have_attribute("data-autoplay", "")
    pw_expect(frame.locator("#autoplay-left")).to_be_hidden()
    pw_expect(frame.locator("#autoplay")).to_be_visible()
    pw_expect(frame.locator("#spin")).not_to_have_attribute("data-role", "stop")


def rounds_of(portero: Portero, player_id: str) -> list[dict[str, Any]]:
    listed = httpx.get(
        f"{portero.base_url}/v1/rounds",
        params={"player_id": player_id, "product": "slot", "limit": 100},
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        timeout=5,
    )
    assert listed.status_code == 200, listed.text
    found: list[dict[str, Any]] = listed.json()["data"]
    return found


def test_autoplay_plays_exactly_the_spins_chosen_and_counts_them_down(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    player = "auto-" + uuid4().hex[:6]
    page, frame = open_game(open_browser, portero, player)
    start, stake = balance(frame), bet(frame)
    sent = count_spins(page)
    left_at_each_spin: list[str | None] = []

    def through(route: Route) -> None:  # what the count showed as each spin went out
        left_at_each_spin.append(frame.locator("#autoplay-left").get_attribute("data-left"))
        route.continue_()

    page.route(f"{portero.base_url}{SPINS}", through)
    # A balance stop that never comes; free spins would stop it on their own (not chosen here).
    start_autoplay(frame, 10, balance="0.01", feature=False)
    pw_expect(frame.locator("#spin")).to_have_attribute("data-role", "stop")
    pw_expect(frame.locator("#spin")).to_have_text("Parar")
    pw_expect(frame.locator("#autoplay-left")).to_be_visible()
    pw_expect(frame.locator("#bet-up")).to_be_disabled()
    stopped_by(frame, "count", timeout=60_000)
    assert left_at_each_spin == [str(n) for n in range(9, -1, -1)]
    assert len(sent) == 10
    pw_expect(frame.locator("#message")).to_have_text(
        "Juego automático terminado. Tiradas jugadas: 10."
    )
    played = rounds_of(portero, player)
    assert len(played) == 10
    assert {r["stake"] for r in played} == {stake}
    moved = sum((r["payout"] or 0) - r["stake"] for r in played)
    assert balance(frame) == start + moved
    pw_expect(frame.locator("#spins tr")).to_have_count(10)


def test_stop_ends_autoplay_after_the_spin_under_way(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    player = "auto-" + uuid4().hex[:6]
    page, frame = open_game(open_browser, portero, player)
    held: list[Route] = []
    page.route(f"{portero.base_url}{SPINS}", lambda route: held.append(route))
    start_autoplay(frame, 25)
    for _ in range(200):  # the first spin is on its way
        if held:
            break
        page.wait_for_timeout(50)
    pw_expect(frame.locator("#autoplay-left")).to_have_attribute("data-left", "24")
    frame.locator("#spin").click()  # Stop, while the first spin is unanswered
    pw_expect(frame.locator("#spin")).to_have_attribute("data-role", "skip")
    held[0].continue_()
    stopped_by(frame, "stop")
    assert len(held) == 1
    pw_expect(frame.locator("#message")).to_have_text(
        "Juego automático detenido. Tiradas jugadas: 1."
    )
    assert len(rounds_of(portero, player)) == 1


def seeded(condition: Callable[[engine.Outcome], bool]) -> engine.Outcome:
    for seed in range(20_000):
        outcome = engine.play(GAME, random.Random(seed).randrange)
        if condition(outcome):
            return outcome
    raise AssertionError("no such outcome in 20,000 seeded spins")


def hand_out(page: Page, frame: Frame, portero: Portero, outcomes: list[engine.Outcome]) -> None:
    """Answer the page's spins with these outcomes in turn, recorded as the server records
    them, the balance moving with each."""
    played_bet = bet(frame)
    credit_value = played_bet // GAME.bet_multiplier
    state = {"balance": balance(frame), "n": 0}

    def answer(route: Route) -> None:
        request: dict[str, Any] = route.request.post_data_json or {}
        outcome = outcomes[min(state["n"], len(outcomes) - 1)]
        win = outcome.credits * credit_value
        state["n"] += 1
        state["balance"] += win - played_bet
        record = {
            "id": f"spn_autoplay_{state['n']}",
            "spin_id": request["spin_id"],
            "created_at": datetime.now(UTC).isoformat(),
            "game_id": GAME.id,
            "currency": "EUR",
            "minor_units": 2,
            "bet": played_bet,
            "win": win,
            "balance_after": state["balance"],
            **outcome_record(outcome, credit_value),
        }
        route.fulfill(json={"spin": record, "balance": state["balance"], "replayed": False})

    page.route(f"{portero.base_url}{SPINS}", answer)


def no_win(outcome: engine.Outcome) -> bool:
    return outcome.credits == 0 and not outcome.free_spins


def test_autoplay_stops_when_free_spins_are_won(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page, frame = open_game(open_browser, portero, "auto-" + uuid4().hex[:6])
    feature = seeded(lambda outcome: len(outcome.free_spins) >= 3)
    hand_out(page, frame, portero, [seeded(no_win), feature, seeded(no_win)])
    sent = count_spins(page)
    start_autoplay(frame, 10)
    stopped_by(frame, "feature", timeout=60_000)
    assert len(sent) == 2
    pw_expect(frame.locator("#free-spins")).to_have_attribute(
        "data-count", str(len(feature.free_spins))
    )
    pw_expect(frame.locator("#message")).to_have_text(
        "Juego automático detenido: has ganado tiradas gratis."
    )


def test_autoplay_stops_on_a_single_win_over_the_amount(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """Wins of 0.06 € and under go on; the first over 0.50 € stops it."""
    page, frame = open_game(open_browser, portero, "auto-" + uuid4().hex[:6])
    credit_value = bet(frame) // GAME.bet_multiplier
    small = seeded(lambda o: not o.free_spins and 0 < o.credits * credit_value <= 6)
    big = seeded(lambda o: not o.free_spins and o.credits * credit_value > 50)
    hand_out(page, frame, portero, [small, seeded(no_win), small, big, small])
    sent = count_spins(page)
    start_autoplay(frame, 10, win="0.50")
    stopped_by(frame, "win", timeout=60_000)
    assert len(sent) == 4
    won = big.credits * credit_value
    pw_expect(frame.locator("#win")).to_have_attribute("data-minor", str(won))
    euros = f"{won / 100:.2f}".replace(".", ",")
    pw_expect(frame.locator("#message")).to_have_text(
        f"Juego automático detenido: un premio de {euros}\u00a0€."
    )


def test_autoplay_stops_when_the_balance_falls_below_the_amount(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """Played for real: a stop above anything the balance can reach stops after one spin."""
    player = "auto-" + uuid4().hex[:6]
    page, frame = open_game(open_browser, portero, player)
    sent = count_spins(page)
    start_autoplay(frame, 10, balance="1000000000")
    stopped_by(frame, "balance")
    assert len(sent) == 1
    assert len(rounds_of(portero, player)) == 1
    pw_expect(frame.locator("#message")).to_contain_text("el saldo ha bajado de")


def test_autoplay_stops_on_an_error_and_the_spin_can_be_retried(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    player = "auto-" + uuid4().hex[:6]
    page, frame = open_game(open_browser, portero, player)
    sent = count_spins(page)

    calls = [0]

    def second_lost(route: Route) -> None:
        calls[0] += 1
        if calls[0] == 2:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(f"{portero.base_url}{SPINS}", second_lost)
    start_autoplay(frame, 10)
    stopped_by(frame, "error")
    assert len(sent) == 2
    pw_expect(frame.locator("#spin")).to_have_text("Repetir tirada")
    pw_expect(frame.locator("#message")).to_contain_text("no llegó al juego")
    assert len(rounds_of(portero, player)) == 1


def test_autoplay_stops_at_a_reality_check(portero: Portero, open_browser: OpenBrowser) -> None:
    player = "auto-" + uuid4().hex[:6]
    page, frame = open_game(open_browser, portero, player, reality_check_seconds=600)
    sent = count_spins(page)
    launch_id = frame.locator("#app").get_attribute("data-launch-id") or ""

    calls = [0]

    def check_due_at_the_second(route: Route) -> None:
        calls[0] += 1
        if calls[0] == 2:
            make_check_due(portero, launch_id)
        route.continue_()

    page.route(f"{portero.base_url}{SPINS}", check_due_at_the_second)
    start_autoplay(frame, 10)
    pw_expect(frame.locator("#reality-check")).to_be_visible(timeout=10_000)
    stopped_by(frame, "check")
    assert len(sent) == 2
    assert len(rounds_of(portero, player)) == 1
    frame.locator("#reality-continue").click()
    pw_expect(frame.locator("#reality-check")).to_be_hidden()
    pw_expect(frame.locator("#message")).to_have_text(
        "Juego automático detenido por el recordatorio de juego."
    )
    pw_expect(frame.locator("#spin")).to_have_attribute("data-role", "spin")
    assert len(sent) == 2  # nothing went on by itself


def test_autoplay_stops_when_the_session_ends(portero: Portero, open_browser: OpenBrowser) -> None:
    player = "auto-" + uuid4().hex[:6]
    page, frame = open_game(open_browser, portero, player)
    sent = count_spins(page)

    calls = [0]

    def terminated_at_the_second(route: Route) -> None:
        calls[0] += 1
        if calls[0] == 2:
            kicked = httpx.post(
                f"{portero.base_url}/v1/players/{player}/terminate",
                headers={"Authorization": f"Bearer {portero.partner_token}"},
                timeout=5,
            )
            assert kicked.json()["sessions_ended"] == 1
        route.continue_()

    page.route(f"{portero.base_url}{SPINS}", terminated_at_the_second)
    start_autoplay(frame, 10)
    pw_expect(frame.locator("#ended")).to_be_visible(timeout=10_000)
    pw_expect(frame.locator("#deck")).to_have_attribute("data-autoplay-stop", "ended")
    assert len(sent) == 2
    assert len(rounds_of(portero, player)) == 1


def test_a_launch_without_autoplay_shows_no_control(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    page, frame = open_game(open_browser, portero, "auto-" + uuid4().hex[:6], autoplay=False)
    pw_expect(frame.locator("#spin")).to_be_visible()
    pw_expect(frame.locator("#autoplay")).to_be_hidden()
    pw_expect(frame.locator(".auto-place")).to_be_hidden()
    pw_expect(frame.locator("#autoplay-left")).to_be_hidden()
    assert (
        frame.locator("#deck button:visible").count() == 3
    )  # the bet's two steps and the round button
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "slot-phone-no-autoplay.png")
