"""Every game's return to player: exact by independence = full enumeration (to 1e-9), the
published figures are the computed ones, and the real engine's Monte Carlo agrees."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from portero.slots.games import catalogue, engine, maths
from portero.slots.games.spec import GameSpec
from tests.slots.test_rules import NAMES, PUBLISHED

GAME_IDS = sorted(catalogue.games())


@pytest.fixture(scope="module")
def enumerations() -> dict[str, maths.Enumeration]:
    return {game_id: maths.enumerate_base(catalogue.games()[game_id]) for game_id in GAME_IDS}


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_exact_and_enumeration_agree_and_the_rtp_is_in_range(
    game_id: str, enumerations: dict[str, maths.Enumeration]
) -> None:
    game = catalogue.games()[game_id]
    exact = maths.exact(game)
    enumerated = enumerations[game_id]
    assert enumerated.combinations == math.prod(len(strip) for strip in game.strips)
    assert abs(exact.rtp_base - enumerated.rtp_base) < 1e-9
    assert abs(exact.rtp_feature - enumerated.rtp_feature) < 1e-9
    assert abs(exact.rtp - enumerated.rtp) < 1e-9
    scatters = [n / enumerated.combinations for n in enumerated.by_scatters]
    assert exact.scatter_distribution == pytest.approx(scatters, abs=1e-12)
    assert catalogue.RTP_RANGE[0] <= exact.rtp <= catalogue.RTP_RANGE[1]


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_the_published_figures_are_the_computed_ones(
    game_id: str, enumerations: dict[str, maths.Enumeration]
) -> None:
    published = catalogue.games()[game_id].published
    computed = enumerations[game_id]
    assert published.rtp == pytest.approx(computed.rtp, abs=5e-7)
    assert published.rtp_base == pytest.approx(computed.rtp_base, abs=5e-7)
    assert published.rtp_feature == pytest.approx(computed.rtp_feature, abs=5e-7)
    assert published.hit_frequency == pytest.approx(computed.hit_frequency, abs=5e-7)
    assert published.feature_frequency == pytest.approx(computed.feature_frequency, abs=5e-7)
    assert published.volatility == pytest.approx(computed.volatility, abs=5e-5)
    assert published.max_win == pytest.approx(computed.max_win, abs=5e-3)
    assert sum(p for _, p in computed.distribution()) == pytest.approx(1.0, abs=1e-12)


# Monte Carlo sample sizes: bounded, and enough for a 99 % interval a few points wide.
MONTE_CARLO_SPINS = {"fruit-royale": 120_000, "monaco-nights": 50_000, "jade-ways": 50_000}


@pytest.mark.slow
@pytest.mark.parametrize("game_id", GAME_IDS)
def test_the_engine_pays_inside_the_99_percent_interval_of_the_exact_rtp(
    game_id: str, enumerations: dict[str, maths.Enumeration]
) -> None:
    """The real engine, fed a seeded generator (so the test is repeatable), over a bounded
    number of spins: the mean pay per unit bet lies within 2.576 standard errors of the
    exact RTP, the standard deviation being the exact volatility."""
    game = catalogue.games()[game_id]
    spins = MONTE_CARLO_SPINS.get(game_id, 50_000)
    rng = random.Random(f"monte-carlo {game_id}")
    total = sum(engine.play(game, rng.randrange).credits for _ in range(spins))
    mean = total / spins / game.bet_multiplier
    exact = enumerations[game_id]
    half_width = 2.576 * exact.volatility / math.sqrt(spins)
    assert abs(mean - exact.rtp) <= half_width, (mean, exact.rtp, half_width)


def tiny_game() -> GameSpec:
    """Three one-row reels, one line; A pays 6 credits for three; two scatters pay the bet
    and award 2 free spins at x2, which can retrigger."""
    return GameSpec.model_validate(
        {
            "id": "tiny",
            "names": NAMES,
            "rows": 1,
            "strips": [["A", "B"], ["A", "S"], ["A", "W", "S"]],
            "lines": [[0, 0, 0]],
            "bet_multiplier": 1,
            "symbols": [
                {"code": "A", "glyph": "A", "pays": {"3": 6}},
                {"code": "B", "glyph": "B", "pays": {"3": 100}},
                {"code": "W", "glyph": "*"},
                {"code": "S", "glyph": "$"},
            ],
            "wild": "W",
            "scatter": {"symbol": "S", "pays": {"2": 1}, "free_spins": {"2": 2}},
            "free_spins": {"multiplier": 2, "retrigger": True},
            "credit_values": {"EUR": [1]},
            "published": PUBLISHED,
        }
    )


def test_a_tiny_game_worked_out_by_hand() -> None:
    """12 equally likely stop combinations (2 x 2 x 3).

    Base game: A-A-(A or W) pays 6 (2 combinations); S on reels 2 and 3 pays 1 and awards 2
    free spins (2 combinations); B never pays (reel 2 has no B or wild). E[B] = 14/12 = 7/6.
    A free spin wins X = 2B and retriggers A = 2 spins with probability 1/6: E[A] = 1/3, so a
    free spin and its retriggers are worth E[V] = E[X] / (1 - E[A]) = (7/3) / (2/3) = 7/2.
    The feature is worth P(trigger) x 2 x E[V] = 1/6 x 2 x 7/2 = 7/6. RTP = 7/6 + 7/6 = 7/3.

    Second moment: E[X^2] = 4 x (2 x 36 + 2 x 1) / 12 = 74/3, E[XA] = 2 x 2 x 2 / 12 = 2/3,
    E[A(A-1)] = 2 x 2 / 12 = 1/3, so E[V^2] = (74/3 + 2 x 2/3 x 7/2 + 1/3 x 49/4) / (2/3)
    = 401/8. A spin's total Y = B + F with F = V1 + V2 when triggered: E[F^2 | trigger] =
    2 x 401/8 + 2 x 49/4 = 499/4; E[Y^2] = 74/12 + 2 x (2/12) x 7 + (1/6) x 499/4 = 703/24,
    Var(Y) = 703/24 - 49/9 = 1717/72.
    """
    game = tiny_game()
    exact = maths.exact(game)
    enumerated = maths.enumerate_base(game)
    assert enumerated.combinations == 12
    assert exact.rtp_base == pytest.approx(float(Fraction(7, 6)), abs=1e-12)
    assert exact.rtp_feature == pytest.approx(float(Fraction(7, 6)), abs=1e-12)
    assert enumerated.rtp == pytest.approx(float(Fraction(7, 3)), abs=1e-12)
    assert enumerated.hit_frequency == pytest.approx(4 / 12)
    assert enumerated.feature_frequency == pytest.approx(2 / 12)
    assert enumerated.volatility == pytest.approx(math.sqrt(1717 / 72), abs=1e-12)
    assert enumerated.max_win == 12  # 6 credits x the free-spin multiplier
    # The engine agrees on the mean and on the spread (seeded, bounded sample).
    rng = random.Random("tiny")
    pays = [engine.play(game, rng.randrange).credits for _ in range(60_000)]
    mean = sum(pays) / len(pays)
    variance = sum((p - mean) ** 2 for p in pays) / (len(pays) - 1)
    assert abs(mean - 7 / 3) <= 2.576 * math.sqrt(1717 / 72 / len(pays))
    assert variance == pytest.approx(1717 / 72, rel=0.1)


def test_an_endless_feature_is_refused() -> None:
    data = tiny_game().model_dump(mode="json")
    data["strips"] = [["S"], ["S"], ["A"]]  # two scatters on every spin: 2 more free spins
    data["rows"] = 1
    game = GameSpec.model_validate(data)
    with pytest.raises(ValueError, match="endless"):
        maths.exact(game)


def test_enumeration_reports_progress() -> None:
    calls: list[tuple[int, int]] = []
    maths.enumerate_base(tiny_game(), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
