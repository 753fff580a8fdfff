"""Slot pay rules and the engine: lines, ways, wilds, scatters, free spins and retriggers."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from portero.app import create_app
from portero.slots.games import catalogue, engine
from portero.slots.games.rules import evaluate, line_pay, ways_pay, window_at
from portero.slots.games.spec import GameSpec
from tests.conftest import make_settings

PUBLISHED = {
    "rtp": 0.95, "rtp_base": 0.95, "rtp_feature": 0.0, "hit_frequency": 0.1,
    "volatility": 1.0, "max_win": 10.0, "feature_frequency": 0.0,
}  # fmt: skip
NAMES = {"en": "Test", "es": "Prueba", "ja": "テスト", "zh": "测试", "ko": "테스트"}


def game_data(**changes: Any) -> dict[str, Any]:
    """A small 5x3 line game with a wild and a scatter that awards free spins."""
    data: dict[str, Any] = {
        "id": "test-game",
        "names": NAMES,
        "rows": 3,
        "strips": [["A", "K", "W", "Q", "S", "K", "A", "Q"]] * 5,
        "lines": [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0, 1, 2, 1, 0]],
        "bet_multiplier": 3,
        "symbols": [
            {"code": "A", "glyph": "A", "pays": {"3": 10, "4": 20, "5": 50}},
            {"code": "K", "glyph": "K", "pays": {"3": 5, "4": 10, "5": 25}},
            {"code": "Q", "glyph": "Q", "pays": {"3": 2, "4": 5, "5": 10}},
            {"code": "W", "glyph": "*"},
            {"code": "S", "glyph": "$"},
        ],
        "wild": "W",
        "scatter": {"symbol": "S", "pays": {"3": 2, "5": 20}, "free_spins": {"3": 5, "4": 7}},
        "free_spins": {"multiplier": 2, "retrigger": True},
        "credit_values": {"EUR": [1, 5], "JPY": [1, 10]},
        "published": PUBLISHED,
    }
    return data | changes


@pytest.fixture
def game() -> GameSpec:
    return GameSpec.model_validate(game_data())


def column(*codes: str) -> list[str]:
    return list(codes)


def test_the_window_shows_consecutive_stops_and_wraps(game: GameSpec) -> None:
    window = window_at(game, [0, 6, 7, 3, 5])
    assert window[0] == ["A", "K", "W"]
    assert window[1] == ["A", "Q", "A"]  # stop 6, 7, then around to 0
    assert window[2] == ["Q", "A", "K"]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["A", "A", "A", "K", "K"], ("A", 3, 10)),
        (["A", "A", "A", "A", "A"], ("A", 5, 50)),
        (["A", "W", "A", "A", "Q"], ("A", 4, 20)),  # the wild stands in
        (["W", "K", "K", "Q", "Q"], ("K", 3, 5)),  # a leading wild too
        (["W", "W", "W", "W", "W"], ("A", 5, 50)),  # wilds alone pay as the best symbol
        (["W", "W", "Q", "Q", "K"], ("Q", 4, 5)),  # the best run: Q for 4 beats A/K for 2
        (["K", "A", "A", "A", "A"], None),  # runs start on the leftmost reel
        (["A", "A", "K", "A", "A"], None),  # 2 of a kind pays nothing here
        (["S", "S", "S", "A", "A"], None),  # scatters never make a line
    ],
)
def test_line_pays(game: GameSpec, codes: list[str], expected: tuple[str, int, int] | None) -> None:
    paid = line_pay(game, codes)
    assert (paid and (paid[0].code, paid[1], paid[2])) == expected


def test_ways_multiply_the_matches_of_each_reel(game: GameSpec) -> None:
    a = game.symbols[0]
    assert ways_pay(a, [1, 2, 3, 0, 1]) == (3, 6, 60)
    assert ways_pay(a, [2, 1, 1, 1, 2]) == (5, 4, 200)
    assert ways_pay(a, [1, 1, 0, 1, 1]) is None
    assert ways_pay(a, [0, 3, 3, 3, 3]) is None


def test_a_ways_game_counts_wilds_on_every_reel() -> None:
    ways = GameSpec.model_validate(game_data(lines=None, ways=True))
    window = [column("A", "W", "K"), column("A", "A", "Q"), column("W", "Q", "K"),
              column("Q", "K", "Q"), column("A", "K", "Q")]  # fmt: skip
    evaluation = evaluate(ways, window)
    by_symbol = {win.symbol: win for win in evaluation.wins}
    assert (by_symbol["A"].count, by_symbol["A"].ways) == (3, 2 * 2 * 1)  # A|W, A A, W
    assert by_symbol["A"].credits == 4 * 10
    assert "K" not in by_symbol  # reel 2 has no K or W
    # Q or W per reel: 1 (the W), 1, 2 (W and Q), 2, 1.
    assert (by_symbol["Q"].count, by_symbol["Q"].ways) == (5, 1 * 1 * 2 * 2 * 1)
    assert by_symbol["Q"].credits == 4 * 10
    assert evaluation.credits == 40 + 40
    assert by_symbol["Q"].positions == [(0, 1), (1, 2), (2, 0), (2, 1), (3, 0), (3, 2), (4, 2)]


def test_scatters_pay_the_total_bet_anywhere_and_award_free_spins(game: GameSpec) -> None:
    window = [column("S", "A", "K"), column("Q", "Q", "K"), column("K", "S", "A"),
              column("A", "Q", "S"), column("Q", "K", "A")]  # fmt: skip
    evaluation = evaluate(game, window)
    (scatter,) = [win for win in evaluation.wins if win.kind == "scatter"]
    assert (scatter.count, scatter.credits) == (3, 2 * game.bet_multiplier)
    assert scatter.positions == [(0, 0), (2, 1), (3, 2)]
    assert evaluation.scatters == 3
    assert evaluation.free_spins == 5
    four = evaluate(game, [*window[:4], column("S", "K", "A")])
    assert (four.scatters, four.free_spins) == (4, 7)
    assert [w for w in four.wins if w.kind == "scatter"] == []  # 4 scatters pay nothing here


def test_line_wins_name_their_line_and_cells(game: GameSpec) -> None:
    window = [column("A", "A", "Q"), column("K", "A", "W"), column("Q", "K", "A"),
              column("Q", "A", "K"), column("K", "K", "K")]  # fmt: skip
    wins = evaluate(game, window).wins
    # Line 2 (rows 0-1-2-1-0) reads A A A A K; lines 0 and 1 break after two.
    assert [(w.line, w.symbol, w.count, w.credits) for w in wins] == [(2, "A", 4, 20)]
    assert wins[0].positions == [(0, 0), (1, 1), (2, 2), (3, 1)]


def scripted(*stops: int) -> engine.RandBelow:
    """A stand-in for the CSPRNG that stops the reels where the test says."""
    queue: Iterator[int] = iter(stops)
    return lambda _n: next(queue)


def test_free_spins_play_out_with_their_multiplier_and_retriggers(game: GameSpec) -> None:
    three_scatters = [4, 0, 4, 0, 4]  # S on reels 0, 2 and 4 (row 0)
    quiet = [0, 0, 0, 0, 3]
    assert evaluate(game, window_at(game, three_scatters)).free_spins == 5
    assert evaluate(game, window_at(game, quiet)).free_spins == 0
    # The trigger's 5 spins; the second retriggers 5 more; 10 in all.
    stops = three_scatters + quiet + three_scatters + quiet * 8
    outcome = engine.play(game, scripted(*stops))
    assert len(outcome.free_spins) == 10
    assert all(spin.multiplier == 2 for spin in outcome.free_spins)
    retrigger = outcome.free_spins[1]
    assert retrigger.credits == 2 * retrigger.evaluation.credits
    assert outcome.credits == outcome.base.credits + sum(s.credits for s in outcome.free_spins)


def test_a_feature_is_bounded(game: GameSpec) -> None:
    bounded = GameSpec.model_validate(
        game_data(free_spins={"multiplier": 1, "retrigger": True, "max_spins": 12})
    )
    always = [4, 0, 4, 0, 4] * 100  # every spin retriggers
    assert len(engine.play(bounded, scripted(*always)).free_spins) == 12


def test_no_feature_without_a_trigger(game: GameSpec) -> None:
    outcome = engine.play(game, scripted(0, 0, 0, 0, 3))
    assert outcome.free_spins == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"strips": [["A", "S", "S", "K"]] * 5}, "scatters closer than the window height"),
        ({"strips": [["A", "X", "K"]] * 5}, "undefined symbols"),
        ({"lines": [[1, 1, 1, 1, 3]]}, "does not fit"),
        ({"lines": None}, "either lines or ways"),
        ({"names": {"en": "Only English"}}, "names missing"),
        ({"credit_values": {"EUR": [5, 1]}}, "increasing"),
        ({"credit_values": {"XXY": [1]}}, "ISO 4217"),
        ({"wild": "Z"}, "not a defined symbol"),
        ({"free_spins": None}, "free_spins settings"),
        (
            {"free_spins": {"multiplier": 1, "retrigger": False, "max_spins": 6}},
            "max_spins is smaller than a trigger's award",
        ),
        ({"scatter": {"symbol": "S", "pays": {"3": -3}, "free_spins": {"3": 5}}}, "greater than"),
        ({"scatter": {"symbol": "S", "pays": {"3": 1}, "free_spins": {"3": -5}}}, "greater than"),
    ],
)
def test_invalid_game_data_is_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        GameSpec.model_validate(game_data(**changes))


def test_the_wild_may_not_pay_on_its_own() -> None:
    data = game_data()
    data["symbols"][3] = {"code": "W", "glyph": "*", "pays": {"3": 100}}
    with pytest.raises(ValidationError, match="no line pays of their own"):
        GameSpec.model_validate(data)


def test_the_catalogue_refuses_a_file_that_does_not_hold_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "other-name.json").write_text(json.dumps(game_data()))
    monkeypatch.setattr(catalogue, "GAMES_DIR", tmp_path)
    catalogue.games.cache_clear()
    try:
        with pytest.raises(catalogue.GameDataError, match="differs from the file name"):
            catalogue.games()
        (tmp_path / "other-name.json").unlink()
        high = game_data(published=PUBLISHED | {"rtp": 0.99})
        (tmp_path / "test-game.json").write_text(json.dumps(high))
        with pytest.raises(catalogue.GameDataError, match="published RTP outside"):
            catalogue.games()
        # This test game retriggers on average more than once per free spin.
        (tmp_path / "test-game.json").write_text(json.dumps(game_data()))
        with pytest.raises(catalogue.GameDataError, match="endless"):
            catalogue.games()
        # In range, but not what the game pays.
        finite = game_data(free_spins={"multiplier": 2, "retrigger": False})
        (tmp_path / "test-game.json").write_text(json.dumps(finite))
        with pytest.raises(catalogue.GameDataError, match="but the game computes"):
            catalogue.games()
    finally:
        catalogue.games.cache_clear()


def test_the_catalogue_has_the_three_window_shapes() -> None:
    shapes = {
        (g.reels, g.rows, len(g.lines) if g.lines else "ways") for g in catalogue.games().values()
    }
    assert shapes == {(3, 3, 5), (5, 3, 20), (5, 4, "ways")}
    assert any(g.free_spins and g.free_spins.retrigger for g in catalogue.games().values())


def test_the_service_does_not_start_with_a_broken_game_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = game_data(strips=[["A", "S", "S", "K"]] * 5)  # scatters too close
    (tmp_path / "test-game.json").write_text(json.dumps(broken))
    monkeypatch.setattr(catalogue, "GAMES_DIR", tmp_path)
    catalogue.games.cache_clear()
    try:
        with pytest.raises(catalogue.GameDataError, match=r"test-game\.json"):
            create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"))
    finally:
        catalogue.games.cache_clear()


def _line_pay_by_definition(game: GameSpec, codes: list[str]) -> tuple[str, int, int] | None:
    """The rule as written: every symbol's own left-to-right run, wilds standing in."""
    best: tuple[str, int, int] | None = None
    for symbol in game.paying:
        length = 0
        for code in codes:
            if code not in (symbol.code, game.wild):
                break
            length += 1
        credits = symbol.pays.get(length, 0)
        if credits and (best is None or credits > best[2]):
            best = (symbol.code, length, credits)
    return best


@pytest.mark.parametrize("game_id", ["fruit-royale", "jade-ways", "monaco-nights"])
def test_the_line_evaluation_pays_what_the_rule_says(game_id: str) -> None:
    """Every line of 3,000 seeded random windows of each shipped game, plus lines of wilds
    and of one symbol: the same (symbol, length, credits) as each symbol's run counted out."""
    game = catalogue.game(game_id)
    assert game is not None
    chance = random.Random(game_id)
    codes = game.symbol_codes
    lines = [[chance.choice(codes) for _ in range(game.reels)] for _ in range(3000)]
    lines += [[code] * game.reels for code in codes]
    if game.wild:
        lines += [[game.wild] * k + [code] * (game.reels - k) for code in codes for k in range(6)]
        lines += [[code, game.wild, code, game.wild, code][: game.reels] for code in codes]
    paid = 0
    for line in lines:
        got = line_pay(game, line)
        assert (None if got is None else (got[0].code, got[1], got[2])) == (
            _line_pay_by_definition(game, line)
        ), line
        paid += got is not None
    assert paid > 100  # the comparison covered paying lines, not only empty ones
