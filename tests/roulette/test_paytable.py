"""The payout table the page's rules panel shows: computed from the bets' own rules, checked
here against the layout itself."""

from __future__ import annotations

from fractions import Fraction

from portero.roulette.bets import PAYOUT, Bet, BetType, legal_inside_sets
from portero.roulette.paytable import pay_table
from portero.roulette.wheel import NUMBERS


def test_every_bet_type_is_listed_once_with_its_payout_and_its_numbers() -> None:
    table = pay_table()
    assert [line.type for line in table.lines] == list(BetType)
    assert {line.type: line.pays for line in table.lines} == PAYOUT
    covers = {line.type: line.covers for line in table.lines}
    assert covers == {
        BetType.straight: 1,
        BetType.split: 2,
        BetType.street: 3,
        BetType.corner: 4,
        BetType.six_line: 6,
        BetType.dozen: 12,
        BetType.column: 12,
        BetType.red: 18,
        BetType.black: 18,
        BetType.even: 18,
        BetType.odd: 18,
        BetType.low: 18,
        BetType.high: 18,
    }
    # Every legal spot of an inside bet covers as many numbers as its line says.
    for bet_type, spots in legal_inside_sets().items():
        assert {len(spot) for spot in spots} == {covers[bet_type]}


def test_the_return_to_player_is_what_a_spot_returns_over_the_whole_wheel() -> None:
    table = pay_table()
    assert table.return_to_player == Fraction(36, 37)
    assert table.rtp_percent == "97.30"
    corner = Bet(BetType.corner, frozenset({0, 1, 2, 3}), 37)
    # One spin on each number, 37 staked each time: 36/37 of the 37 * 37 staked comes back.
    assert sum(corner.returns(n) for n in NUMBERS) == 36 * 37
    for line in table.lines:
        assert line.return_to_player == table.return_to_player, line
