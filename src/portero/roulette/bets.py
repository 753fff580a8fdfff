"""Bet types, which number sets each may cover, and what each pays.

A bet is identified by the set of numbers it covers: a split is any two numbers that touch on
the layout (0 touches 1, 2 and 3), a street any row (or a zero trio: 0-1-2, 0-2-3), a corner
any four that meet at a point (or 0-1-2-3, "first four"), a six line two adjacent rows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from portero.roulette.wheel import BLACK, NUMBERS, RED, column_of, street


class BetType(enum.Enum):
    # A plain Enum: as a str subclass, the member `split` would shadow str.split.
    straight = "straight"
    split = "split"
    street = "street"
    corner = "corner"
    six_line = "six_line"
    dozen = "dozen"
    column = "column"
    red = "red"
    black = "black"
    even = "even"
    odd = "odd"
    low = "low"  # 1-18
    high = "high"  # 19-36


# Winnings per unit staked; a winning bet also gets its stake back (35:1 returns 36).
PAYOUT: dict[BetType, int] = {
    BetType.straight: 35,
    BetType.split: 17,
    BetType.street: 11,
    BetType.corner: 8,
    BetType.six_line: 5,
    BetType.dozen: 2,
    BetType.column: 2,
    BetType.red: 1,
    BetType.black: 1,
    BetType.even: 1,
    BetType.odd: 1,
    BetType.low: 1,
    BetType.high: 1,
}

INSIDE = (BetType.straight, BetType.split, BetType.street, BetType.corner, BetType.six_line)
TARGETED = (BetType.dozen, BetType.column)  # choose 1, 2 or 3
EVEN_MONEY: dict[BetType, frozenset[int]] = {
    BetType.red: RED,
    BetType.black: BLACK,
    BetType.even: frozenset(n for n in range(1, 37) if n % 2 == 0),
    BetType.odd: frozenset(n for n in range(1, 37) if n % 2 == 1),
    BetType.low: frozenset(range(1, 19)),
    BetType.high: frozenset(range(19, 37)),
}


class IllegalBet(ValueError):
    """The bet does not exist on a single-zero table; the message says why."""


@cache
def legal_inside_sets() -> dict[BetType, frozenset[frozenset[int]]]:
    splits = {frozenset({0, 1}), frozenset({0, 2}), frozenset({0, 3})}
    splits |= {frozenset({n, n + 1}) for n in range(1, 36) if n % 3 != 0}  # side by side
    splits |= {frozenset({n, n + 3}) for n in range(1, 34)}  # one row apart
    corners = {frozenset({n, n + 1, n + 3, n + 4}) for n in range(1, 33) if n % 3 != 0}
    corners.add(frozenset({0, 1, 2, 3}))
    return {
        BetType.straight: frozenset(frozenset({n}) for n in NUMBERS),
        BetType.split: frozenset(splits),
        BetType.street: frozenset(
            {street(r) for r in range(12)} | {frozenset({0, 1, 2}), frozenset({0, 2, 3})}
        ),
        BetType.corner: frozenset(corners),
        BetType.six_line: frozenset(street(r) | street(r + 1) for r in range(11)),
    }


def covered_numbers(
    bet_type: BetType, *, numbers: Iterable[int] | None = None, target: int | None = None
) -> frozenset[int]:
    """The numbers a bet covers, or IllegalBet (also for a field the bet type does not take:
    a bet is refused rather than played differently from what was sent)."""
    if bet_type in INSIDE:
        if target is not None:
            raise IllegalBet(f"a {bet_type.value} bet names numbers, not a target")
        if numbers is None:
            raise IllegalBet(f"a {bet_type.value} bet names its numbers")
        chosen = frozenset(numbers)
        if chosen not in legal_inside_sets()[bet_type]:
            listed = "-".join(str(n) for n in sorted(chosen)) or "nothing"
            name = bet_type.value.replace("_", " ")
            raise IllegalBet(f"{listed} is not a {name} on this table")
        return chosen
    if numbers is not None:
        raise IllegalBet(f"a {bet_type.value} bet takes no numbers")
    if bet_type in TARGETED:
        if target not in (1, 2, 3):
            raise IllegalBet(f"a {bet_type.value} bet names its target: 1, 2 or 3")
        if bet_type == BetType.dozen:
            return frozenset(range(12 * target - 11, 12 * target + 1))
        return frozenset(n for n in range(1, 37) if column_of(n) == target)
    if target is not None:
        raise IllegalBet(f"a {bet_type.value} bet takes no target")
    return EVEN_MONEY[bet_type]


@dataclass(frozen=True, slots=True)
class Bet:
    type: BetType
    numbers: frozenset[int]
    amount: int  # minor units

    def returns(self, number: int) -> int:
        """What the bet gives back when `number` comes up: stake plus winnings, or nothing."""
        return self.amount * (PAYOUT[self.type] + 1) if number in self.numbers else 0


def total_return(bets: Iterable[Bet], number: int) -> int:
    return sum(bet.returns(number) for bet in bets)
