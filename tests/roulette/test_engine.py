"""The roulette engine: every bet on every number, the house edge, and the draw's fairness."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections import Counter
from fractions import Fraction

import pytest

from portero.roulette import fairness
from portero.roulette.bets import (
    EVEN_MONEY,
    INSIDE,
    PAYOUT,
    Bet,
    BetType,
    IllegalBet,
    covered_numbers,
    legal_inside_sets,
)
from portero.roulette.wheel import BLACK, NUMBERS, RED, WHEEL_ORDER, color

# Layout facts written out independently of the engine's construction.
LAYOUT = [[3 * row + col for col in (1, 2, 3)] for row in range(12)]


def _position(number: int) -> tuple[int, int]:
    for row, numbers in enumerate(LAYOUT):
        if number in numbers:
            return row, numbers.index(number)
    raise AssertionError(number)


def _touching(a: int, b: int) -> bool:
    if 0 in (a, b):
        return max(a, b) in (1, 2, 3)
    (ra, ca), (rb, cb) = _position(a), _position(b)
    return abs(ra - rb) + abs(ca - cb) == 1


def every_bet() -> list[Bet]:
    """One unit-stake bet on every spot of the table."""
    spots = [Bet(t, s, 1) for t in INSIDE for s in legal_inside_sets()[t]]
    for bet_type in (BetType.dozen, BetType.column):
        spots += [Bet(bet_type, covered_numbers(bet_type, target=k), 1) for k in (1, 2, 3)]
    spots += [Bet(t, covered_numbers(t), 1) for t in EVEN_MONEY]
    return spots


def test_the_wheel_has_each_number_once_and_the_right_colours() -> None:
    assert sorted(WHEEL_ORDER) == list(NUMBERS)
    assert len(RED) == len(BLACK) == 18
    assert color(0) == "green"
    # Neighbours on the wheel alternate red and black, apart from zero.
    ring = [n for n in WHEEL_ORDER if n]
    assert all(color(a) != color(b) for a, b in itertools.pairwise(ring))


def test_the_layout_offers_every_standard_inside_bet_and_no_other() -> None:
    sets = legal_inside_sets()
    assert len(sets[BetType.straight]) == 37
    # 57 splits between 1 and 36 (33 vertical, 24 horizontal) plus 0-1, 0-2, 0-3.
    assert len(sets[BetType.split]) == 60
    assert all(_touching(*sorted(pair)) for pair in sets[BetType.split])
    every_touching_pair = {
        frozenset({a, b}) for a in NUMBERS for b in NUMBERS if a < b and _touching(a, b)
    }
    assert sets[BetType.split] == every_touching_pair
    assert len(sets[BetType.street]) == 14  # 12 rows and the two zero trios
    assert len(sets[BetType.corner]) == 23  # 22 squares and 0-1-2-3
    assert len(sets[BetType.six_line]) == 11


@pytest.mark.parametrize(
    ("bet_type", "numbers"),
    [
        (BetType.split, [1, 5]),  # diagonal
        (BetType.split, [3, 4]),  # end of one row to the start of the next
        (BetType.split, [0, 4]),
        (BetType.split, [7]),
        (BetType.street, [1, 2, 4]),
        (BetType.street, [0, 1, 3]),
        (BetType.corner, [3, 4, 6, 7]),  # wraps around the layout's edge
        (BetType.six_line, [1, 2, 3, 7, 8, 9]),  # rows not adjacent
        (BetType.straight, [37]),
        (BetType.straight, [-1]),
        (BetType.straight, []),
    ],
)
def test_illegal_inside_bets_are_refused(bet_type: BetType, numbers: list[int]) -> None:
    with pytest.raises(IllegalBet):
        covered_numbers(bet_type, numbers=numbers)


@pytest.mark.parametrize("target", [0, 4, None])
@pytest.mark.parametrize("bet_type", [BetType.dozen, BetType.column])
def test_dozens_and_columns_need_a_target_from_1_to_3(
    bet_type: BetType, target: int | None
) -> None:
    with pytest.raises(IllegalBet):
        covered_numbers(bet_type, target=target)


def test_outside_bets_cover_the_right_numbers() -> None:
    assert covered_numbers(BetType.dozen, target=2) == set(range(13, 25))
    assert covered_numbers(BetType.column, target=1) == {row[0] for row in LAYOUT}
    assert covered_numbers(BetType.column, target=3) == set(range(3, 37, 3))
    assert covered_numbers(BetType.low) == set(range(1, 19))
    assert covered_numbers(BetType.even) == set(range(2, 37, 2))
    assert all(0 not in covered_numbers(t) for t in EVEN_MONEY)


STANDARD_PAYOUTS = {
    BetType.straight: 35,
    BetType.split: 17,
    BetType.street: 11,
    BetType.corner: 8,
    BetType.six_line: 5,
    BetType.dozen: 2,
    BetType.column: 2,
}


def test_every_bet_on_every_number_returns_stake_plus_the_standard_payout() -> None:
    for bet in every_bet():
        odds = STANDARD_PAYOUTS.get(bet.type, 1)
        for number in NUMBERS:
            stake = 7  # an odd stake catches a payout computed on the wrong amount
            placed = Bet(bet.type, bet.numbers, stake)
            expected = stake * (odds + 1) if number in bet.numbers else 0
            assert placed.returns(number) == expected, (bet, number)
        # The payout makes the bet fair but for the zero: (36 / covered) - 1.
        assert odds == 36 // len(bet.numbers) - 1


def test_every_bet_type_returns_exactly_36_37_of_the_stake() -> None:
    seen = set()
    for bet in every_bet():
        expected = Fraction(sum(bet.returns(n) for n in NUMBERS), len(NUMBERS) * bet.amount)
        assert expected == Fraction(36, 37), bet
        seen.add(bet.type)
    assert seen == set(PAYOUT) == set(BetType)


def test_rejection_sampling_is_exactly_uniform_over_a_whole_word_space() -> None:
    """Exhaustive on 8-bit words: every pocket gets the same number of accepted words."""
    counts = Counter(fairness.accept(word, 37, 8) for word in range(256))
    rejected = counts.pop(None)
    assert rejected == 256 % 37
    assert set(counts) == set(range(37))
    assert set(counts.values()) == {256 // 37}
    # The naive `% 37` on the same words is biased, which is what the rejection avoids.
    naive = Counter(word % 37 for word in range(256))
    assert len(set(naive.values())) == 2


def test_the_draw_follows_the_documented_formula() -> None:
    server_seed = "00" * 31 + "2a"
    client_seed = "lucky"
    for nonce in range(50):
        digest = hmac.new(
            bytes.fromhex(server_seed), f"{client_seed}:{nonce}".encode(), hashlib.sha256
        ).digest()
        first = int.from_bytes(digest[:4], "big")
        assert first < 4_294_967_289  # a word is rejected about once in 600 million
        assert fairness.draw(server_seed, client_seed, nonce) == first % 37
    assert (
        fairness.commitment(server_seed) == hashlib.sha256(bytes.fromhex(server_seed)).hexdigest()
    )


def test_a_rejected_word_moves_on_to_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2**32 - 7 = 4,294,967,289 is the first word past the last whole block of 37.
    words = iter([2**32 - 1, 2**32 - 7, 75])
    monkeypatch.setattr(fairness, "_words", lambda *_args: words)
    assert fairness.draw("00" * 32, "c", 0) == 1
    monkeypatch.setattr(fairness, "_words", lambda *_args: iter([2**32 - 8]))
    assert fairness.draw("00" * 32, "c", 0) == 36  # the last accepted word


def test_the_draw_is_uniform_chi_square() -> None:
    """A bounded sample of the real draw (fixed seeds, so the test is repeatable): the
    chi-square statistic with 36 degrees of freedom stays under the 0.1 % critical value."""
    samples = 37 * 400
    server_seed = hashlib.sha256(b"portero chi-square").hexdigest()
    counts = Counter(fairness.draw(server_seed, "chi", nonce) for nonce in range(samples))
    expected = samples / 37
    statistic = sum((counts[n] - expected) ** 2 / expected for n in NUMBERS)
    critical_36_dof_p_0_001 = 67.985
    assert statistic < critical_36_dof_p_0_001
    # The test can fail: a draw that favours one pocket is caught.
    biased = counts.copy()
    biased[17] += 150
    biased[18] -= 150
    assert sum((biased[n] - expected) ** 2 / expected for n in NUMBERS) > critical_36_dof_p_0_001


def test_seeds_are_fresh_and_commitments_are_sha256() -> None:
    seeds = {fairness.new_server_seed() for _ in range(100)}
    assert len(seeds) == 100
    assert all(len(seed) == 64 for seed in seeds)
    seed = seeds.pop()
    assert fairness.commitment(seed) == hashlib.sha256(bytes.fromhex(seed)).hexdigest()
