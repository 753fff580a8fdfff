"""One spin: a CSPRNG stop per reel, the window, its wins, and the free spins it triggers
played out to the end. Nothing else goes in: not the balance, not past results, not the
house's position (no compensation)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from portero.slots.games.rules import Evaluation, Window, evaluate, window_at
from portero.slots.games.spec import GameSpec

# randbelow(n): a uniform integer in [0, n). secrets.randbelow rejects rather than reduces, so
# every stop of a strip is exactly equally likely.
RandBelow = Callable[[int], int]


@dataclass(frozen=True, slots=True)
class Spin:
    stops: list[int]
    window: Window
    evaluation: Evaluation
    multiplier: int  # 1 in the base game, the feature's multiplier in free spins

    @property
    def credits(self) -> int:
        return self.evaluation.credits * self.multiplier


@dataclass(frozen=True, slots=True)
class Outcome:
    base: Spin
    free_spins: list[Spin]

    @property
    def credits(self) -> int:
        return self.base.credits + sum(spin.credits for spin in self.free_spins)


def _spin(game: GameSpec, randbelow: RandBelow, multiplier: int) -> Spin:
    stops = [randbelow(len(strip)) for strip in game.strips]
    window = window_at(game, stops)
    return Spin(stops, window, evaluate(game, window), multiplier)


def play(game: GameSpec, randbelow: RandBelow = secrets.randbelow) -> Outcome:
    base = _spin(game, randbelow, 1)
    free: list[Spin] = []
    remaining = base.evaluation.free_spins
    feature = game.free_spins
    while feature is not None and remaining > 0 and len(free) < feature.max_spins:
        spin = _spin(game, randbelow, feature.multiplier)
        free.append(spin)
        remaining -= 1
        if feature.retrigger:
            remaining += spin.evaluation.free_spins
    return Outcome(base, free)
