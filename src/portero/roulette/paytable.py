"""The payout table the page's rules panel shows, computed from the bets' own rules (bets.py)
rather than copied: every bet type, how many numbers it covers, what it pays, and the table's
return to player."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from portero.roulette.bets import (
    INSIDE,
    PAYOUT,
    TARGETED,
    BetType,
    covered_numbers,
    legal_inside_sets,
)
from portero.roulette.wheel import POCKETS


@dataclass(frozen=True, slots=True)
class PayLine:
    type: BetType
    covers: int  # how many numbers the bet covers
    pays: int  # winnings per unit staked: 35 is "35:1"

    @property
    def return_to_player(self) -> Fraction:
        """What the bet returns on average per unit staked (stake back included)."""
        return Fraction((self.pays + 1) * self.covers, POCKETS)


@dataclass(frozen=True, slots=True)
class PayTable:
    lines: tuple[PayLine, ...]
    return_to_player: Fraction  # the same for every bet on a single-zero table

    @property
    def rtp_percent(self) -> str:
        """The return to player as a percentage with two decimals ("97.30")."""
        return f"{float(self.return_to_player * 100):.2f}"


def _covers(bet_type: BetType) -> int:
    if bet_type in INSIDE:
        # Every legal set of an inside bet has the same size (a zero trio is a street of 3).
        return len(next(iter(legal_inside_sets()[bet_type])))
    return len(covered_numbers(bet_type, target=1 if bet_type in TARGETED else None))


def pay_table() -> PayTable:
    lines = tuple(PayLine(t, _covers(t), PAYOUT[t]) for t in BetType)
    returns = {line.return_to_player for line in lines}
    if len(returns) != 1:  # pragma: no cover - a single-zero table pays every bet alike
        raise ValueError(f"the bets return differently: {sorted(returns)}")
    return PayTable(lines=lines, return_to_player=returns.pop())
