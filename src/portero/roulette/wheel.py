"""The single-zero wheel and the betting layout's geometry."""

from __future__ import annotations

from typing import Literal

POCKETS = 37  # 0 to 36
NUMBERS = range(POCKETS)
# Clockwise from zero, as on every European wheel: the page draws the wheel in this order.
WHEEL_ORDER = (
    0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10,
    5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7, 28, 12, 35, 3, 26,
)  # fmt: skip
RED = frozenset({1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36})
BLACK = frozenset(range(1, POCKETS)) - RED

Color = Literal["green", "red", "black"]


def color(number: int) -> Color:
    if number == 0:
        return "green"
    return "red" if number in RED else "black"


# The layout: 12 rows ("streets") of 3 columns; row r holds 3r+1, 3r+2, 3r+3.
def street(row: int) -> frozenset[int]:
    return frozenset({3 * row + 1, 3 * row + 2, 3 * row + 3})


def column_of(number: int) -> int:
    """1, 2 or 3 (the "2 to 1" column bets); zero is in none."""
    return (number - 1) % 3 + 1
