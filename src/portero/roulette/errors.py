from __future__ import annotations

from portero.kit.errors import PorteroError


class RoundIdReused(PorteroError):
    default_message = (
        "This round id was already played with different bets; use a new id for a new round."
    )


class TableClosed(PorteroError):
    """The play session is not for the roulette table."""

    default_message = "This play session is not for the roulette table."


class BetRefused(PorteroError):
    """A bet the table does not take; `param` names it (`bets.2`)."""


class IllegalBet(BetRefused):
    """No such bet on a single-zero table (a split of two numbers that do not touch…)."""


class StakeOutOfLimits(BetRefused):
    """A stake under the table minimum or over its maximum."""
