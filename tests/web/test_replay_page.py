"""The replay page of a round (`GET /replay/{token}`), on both databases: what it shows of a
roulette round and of a slot round, in which language, and that only a link Portero signed,
for a round it still keeps, opens it."""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.ids import new_id
from portero.launches import opening
from portero.roulette import fairness
from portero.rounds.models import GameRound, RoundStatus
from portero.rounds.replay import replay_token, replay_url
from portero.slots import service as slots
from portero.slots.games import catalogue, engine
from portero.slots.schemas import SpinIn
from portero.web.i18n import texts
from portero.web.replay import Symbols, win_text
from tests.conftest import make_settings
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
)

ORIGIN = "https://casino.example"
EN = texts("en")
BETS: list[dict[str, Any]] = [
    {"type": "straight", "numbers": [17], "amount": 100},
    {"type": "split", "numbers": [0, 2], "amount": 200},
    {"type": "dozen", "target": 3, "amount": 400},
    {"type": "column", "target": 1, "amount": 300},
    {"type": "red", "amount": 500},
]
# A board's box: its classes, its title, its label.
CELL = re.compile(
    r'<div class="cell ([^"]*)" title="([^"]*)"[^>]*>\s*<span class="label">([^<]*)</span>'
)
REEL_CELL = re.compile(
    r'<div class="cell ([^"]*)" data-symbol="([A-Z0-9]+)"\s+data-reel="(\d+)" data-row="(\d+)">'
)


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions, frame_ancestors=[ORIGIN])


async def play_roulette(client: httpx.AsyncClient, partner: PartnerFixture) -> dict[str, Any]:
    """A roulette round played through the table's play API: its record."""
    body = launch_body("roulette")
    body["player"] |= {"id": "replay-player-" + uuid.uuid4().hex[:6], "currency": "EUR"}
    auth = await open_link(client, await create_launch(client, partner, body))
    spin = {"round_id": uuid.uuid4().hex, "bets": BETS, "client_seed": "dispute-seed"}
    response = await client.post("/play/api/roulette/spins", json=spin, headers=auth)
    assert response.status_code == 200, response.text
    played: dict[str, Any] = response.json()["round"]
    return played


async def slot_session(
    client: httpx.AsyncClient, partner: PartnerFixture, game_id: str
) -> dict[str, str]:
    body = launch_body("slot", params={"game_id": game_id})
    return await open_link(client, await create_launch(client, partner, body))


async def play_slot(
    client: httpx.AsyncClient, partner: PartnerFixture, game_id: str
) -> dict[str, Any]:
    """A slot spin played through the slot's play API: its record."""
    auth = await slot_session(client, partner, game_id)
    table = (await client.get("/play/api/slots/game", headers=auth)).json()
    spin = {"spin_id": uuid.uuid4().hex, "bet": table["bet_levels"][0]}
    response = await client.post("/play/api/slots/spins", json=spin, headers=auth)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()["spin"]
    return record


def seed_with_free_spins(game_id: str) -> int:
    """A seed of random.Random whose stops win in the base game and start free spins that win
    too (the engine draws nothing but the stops)."""
    game = catalogue.games()[game_id]
    for seed in range(200_000):
        outcome = engine.play(game, random.Random(seed).randrange)
        if outcome.base.evaluation.wins and any(s.evaluation.wins for s in outcome.free_spins):
            return seed
    raise AssertionError("no seed found")


def board_of(page: str) -> dict[str, list[str]]:
    """Each box of the roulette layout by its label: its classes."""
    return {label: classes.split() for classes, _, label in CELL.findall(page)}


async def open_replay(client: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    assert url.startswith("http://portero.test/replay/")
    return await client.get(url, headers=headers)


async def test_a_roulette_round_shows_its_layout_bets_and_verified_fairness(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime
) -> None:
    played = await play_roulette(client, partner)
    number = played["number"]
    response = await open_replay(client, replay_url(runtime.settings, played["id"]))
    assert response.status_code == 200, response.text
    page = response.text
    # Read-only, never indexed, framed by the partner's origins only, no script.
    assert '<meta name="robots" content="noindex' in page
    assert response.headers["x-robots-tag"].startswith("noindex")
    assert f"frame-ancestors 'self' {ORIGIN}" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in page
    assert 'lang="en"' in page
    assert played["id"] in page
    assert "replay-player-" in page
    # The board: 0-36 and the outside boxes, the winning number marked, once.
    board = board_of(page)
    assert {str(n) for n in range(37)} <= set(board)
    assert [label for label, classes in board.items() if "winner" in classes] == [str(number)]
    assert f'data-number="{number}"' in page
    assert page.count('data-winning="true"') == 1
    for label in ("Dozen 3", "2:1", "1-18", "19-36", "Red", "Black", "Even", "Odd"):
        assert label in board, label
    # Every bet with what it returned; the chips on their boxes; the split's numbers outlined.
    returned = {b["type"]: b["returned"] for b in played["bets"]}
    for name in ("Straight 17", "Split 0-2", "Dozen 3", "Column 1 (2 to 1)", "Red"):
        assert f"<td>{name}</td>" in page, name
    assert f"{returned['straight'] / 100:,.2f} EUR" in page
    assert '<span class="chip-on' in page
    assert "covered" in board["0"]
    assert "covered" in board["2"]
    # The totals: 15.00 EUR staked.
    assert '<dd id="stake">15.00 EUR</dd>' in page
    net = played["total_return"] - 1500
    sign = "+" if net > 0 else "\N{MINUS SIGN}" if net < 0 else ""
    assert f'<dd id="net">{sign}{abs(net) / 100:,.2f} EUR</dd>' in page
    # The provably fair block, checked again by the server.
    fair = played["fairness"]
    for value in (fair["server_seed"], fair["server_seed_hash"], "dispute-seed"):
        assert value in page
    assert 'data-verified="true"' in page
    assert fairness.draw(fair["server_seed"], "dispute-seed", fair["nonce"]) == number
    assert EN["replay.verified"].replace("{number}", str(number)) in page
    # The ledger's movements of the round: the stake, and the return if any.
    assert '<tr data-type="debit" data-status="completed">' in page
    assert ('<tr data-type="credit"' in page) == (played["total_return"] > 0)


async def test_a_round_whose_record_does_not_check_out_says_so(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    played = await play_roulette(client, partner)
    async with inspecting(sessions) as session:
        row = await session.get(GameRound, played["id"])
        assert row is not None
        assert row.outcome is not None
        other = (played["number"] + 1) % 37
        await session.execute(
            update(GameRound)
            .where(GameRound.id == played["id"])
            .values(outcome=row.outcome | {"number": other})
        )
    page = (await open_replay(client, replay_url(runtime.settings, played["id"]))).text
    assert 'data-verified="false"' in page
    assert EN["replay.draw_mismatch"].replace("{number}", str(played["number"])) in page


@pytest.mark.parametrize("game_id", ["fruit-royale", "jade-ways", "monaco-nights"])
async def test_a_slot_spin_shows_its_window(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, game_id: str
) -> None:
    record = await play_slot(client, partner, game_id)
    response = await open_replay(client, replay_url(runtime.settings, record["id"]))
    assert response.status_code == 200, response.text
    page = response.text
    game = catalogue.games()[game_id]
    assert game.names["en"] in page
    base = page.split('<article class="spin', 2)[1]  # the base game's window, not free spins
    shown = {(int(reel), int(row)): code for _, code, reel, row in REEL_CELL.findall(base)}
    window = record["base"]["window"]
    assert shown == {(r, row): code for r, col in enumerate(window) for row, code in enumerate(col)}
    glyphs = {symbol.code: symbol.glyph for symbol in game.symbols}
    assert all(f"<span>{glyphs[code]}</span>" in page for code in shown.values())
    assert len(re.findall(r'<article class="spin[^"]*"', page)) == 1 + len(record["free_spins"])


async def test_a_slot_round_shows_every_win_and_every_free_spin(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    game_id = "monaco-nights"
    game = catalogue.games()[game_id]
    auth = await slot_session(client, partner, game_id)
    token = auth["Authorization"].removeprefix("Bearer ")
    async with session_scope(sessions) as session:
        context = await opening.resume(session, token=token)
        spun = await slots.spin(
            runtime,
            session,
            context,
            SpinIn(spin_id=uuid.uuid4().hex, bet=100),
            random.Random(seed_with_free_spins(game_id)).randrange,
        )
        round_id, outcome = spun.round.id, spun.round.outcome
    assert outcome is not None
    page = (await open_replay(client, replay_url(runtime.settings, round_id))).text
    free = outcome["free_spins"]
    assert len(re.findall(r'<article class="spin free"', page)) == len(free) > 0
    multiplier = free[0]["multiplier"]
    title = EN["replay.free_spin"].format(k=1, n=len(free), m=multiplier)
    assert title in page
    awarded = outcome["base"]["free_spins_awarded"]
    assert EN["replay.free_spins_awarded"].replace("{n}", str(awarded)) in page
    # Every win of every spin is listed, its cells lit (and a line's payline drawn).
    lit = {(m[2], m[3]) for m in REEL_CELL.findall(page) if "hit" in m[0].split()}
    lit |= {(m[2], m[3]) for m in REEL_CELL.findall(page) if "scatter-hit" in m[0].split()}
    for spin in [outcome["base"], *free]:
        for win in spin["wins"]:
            assert f"{win['amount'] / 100:,.2f} EUR" in page
            assert all((str(r), str(row)) in lit for r, row in win["positions"])
            if win["kind"] == "line":
                line = EN["replay.line_win"].split("{glyph}")[0]
                assert line.format(line=win["line"] + 1, count=win["count"]) in page
    assert page.count('<polyline class="payline"') == sum(
        w["kind"] == "line" for s in [outcome["base"], *free] for w in s["wins"]
    )
    assert game.names["en"] in page


async def test_the_language_is_the_query_the_browser_then_english(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime
) -> None:
    played = await play_roulette(client, partner)
    url = replay_url(runtime.settings, played["id"])
    japanese = await open_replay(client, url + "?lang=ja", **{"accept-language": "es"})
    assert japanese.status_code == 200
    ja = texts("ja")
    assert 'lang="ja"' in japanese.text
    for key in ("replay.title", "replay.fairness", "replay.winning_number", "replay.bet.straight"):
        assert ja[key] in japanese.text, key
    assert ja["replay.title"] != EN["replay.title"]
    spanish = await open_replay(client, url, **{"accept-language": "es-ES,es;q=0.9"})
    assert texts("es")["replay.title"] in spanish.text
    korean = await open_replay(client, url + "?lang=xx", **{"accept-language": "fr, ko;q=0.5"})
    assert texts("ko")["replay.title"] in korean.text
    assert EN["replay.title"] in (await open_replay(client, url)).text


async def test_only_a_link_portero_signed_with_its_current_keys_opens(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    played = await play_roulette(client, partner)
    url = replay_url(runtime.settings, played["id"])
    assert (await open_replay(client, url)).status_code == 200
    tampered = url[:-1] + ("A" if url[-1] != "A" else "B")
    round_id, mac = url.rsplit("/", 1)[1].split(".")
    other_id = round_id[:-1] + ("a" if round_id[-1] != "a" else "b")
    another_round = f"http://portero.test/replay/{other_id}.{mac}"  # its MAC, another id
    rotated = make_settings(database_url, replay_key="a-new-replay-key")
    for wrong in (
        tampered,
        another_round,
        replay_url(rotated, played["id"]),
        "http://portero.test/replay/not-a-token",
        "http://portero.test/replay/" + played["id"],
    ):
        response = await open_replay(client, wrong, **{"accept-language": "ja"})
        assert response.status_code == 404, wrong
        assert texts("ja")["replay.missing.title"] in response.text
        assert played["id"] not in response.text
        assert response.headers["x-robots-tag"].startswith("noindex")
        assert "Traceback" not in response.text


async def test_a_round_past_its_retention_or_gone_is_not_shown(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    retention = timedelta(days=runtime.settings.round_retention_days)
    kept, old = await play_roulette(client, partner), await play_roulette(client, partner)
    async with inspecting(sessions) as session:
        for played, age in ((kept, retention - timedelta(hours=1)), (old, retention)):
            await session.execute(
                update(GameRound)
                .where(GameRound.id == played["id"])
                .values(created_at=utcnow() - age - timedelta(seconds=1))
            )
    assert (await open_replay(client, replay_url(runtime.settings, kept["id"]))).status_code == 200
    assert (await open_replay(client, replay_url(runtime.settings, old["id"]))).status_code == 404
    never = new_id("rnd")  # a well-formed id no round has (the database is shared by the run)
    gone = f"http://portero.test/replay/{replay_token(runtime.settings, never)}"
    assert (await open_replay(client, gone)).status_code == 404


async def test_a_round_that_drew_nothing_shows_its_record_only(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A seamless round whose debit was refused is cancelled before any draw."""
    played = await play_roulette(client, partner)
    async with inspecting(sessions) as session:
        await session.execute(
            update(GameRound)
            .where(GameRound.id == played["id"])
            .values(outcome=None, payout=None, status=RoundStatus.cancelled, settled_at=None)
        )
    response = await open_replay(client, replay_url(runtime.settings, played["id"]))
    assert response.status_code == 200, response.text
    assert EN["replay.no_outcome"] in response.text
    assert EN["replay.status.cancelled"] in response.text
    assert EN["replay.no_transactions"] in response.text


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [("en", "1 way:", "243 ways:"), ("es", "1 forma:", "243 formas:")],
)
def test_a_ways_win_counts_its_ways_in_words_that_agree(language: str, one: str, many: str) -> None:
    win = {"kind": "ways", "line": None, "count": 3, "symbol": "A", "amount": 40}
    t = texts(language)
    assert one in win_text(win | {"ways": 1}, Symbols.of(None), "EUR", t)
    assert many in win_text(win | {"ways": 243}, Symbols.of(None), "EUR", t)
