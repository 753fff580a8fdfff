"""The exact return to player of a game, two ways that must agree.

**By independence.** Reels stop independently and every stop is equally likely, so the symbol
a reel shows at any row is distributed like its strip. A line's expected pay is then the sum,
over every symbol tuple, of the product of per-reel probabilities times what the tuple pays
(the same for every line); a symbol's ways pay, the sum over per-reel match-count tuples; the
scatter count, a convolution of per-reel probabilities.

**By enumeration.** Every combination of reel stops of the base game, evaluated with numpy: the
pay rules are tabulated once (a line's pay for every symbol tuple, a symbol's ways pay for
every count tuple, by the same functions the engine uses), and each combination's pay is a
table lookup. Enumeration also gives what independence cannot: hit frequency, the spread of
wins, the largest win.

**Free spins** are a branching process. A free spin wins X = m·B (B: a base-game spin's pay, m
the multiplier) and awards A more spins (retriggers). Per free spin started, the feature's
total V satisfies E[V] = E[X] / (1 - E[A]) and
E[V²] = (E[X²] + 2·E[XA]·E[V] + E[A(A-1)]·E[V]²) / (1 - E[A]); a trigger awarding n spins is
worth n·E[V] on average. The safety bound of `max_spins` per feature is ignored: its effect on
the return is far below 1e-12 for every game in the catalogue (a free spin awards 0.08 to 0.13
more on average, so a feature reaching 1,000 spins is astronomically unlikely), and the game
data may not set it below a trigger's award.

All amounts are in credits; RTP is the expected pay per credit staked (bet_multiplier credits).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portero.slots.games.rules import line_pay, ways_pay
from portero.slots.games.spec import GameSpec

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# Win buckets of the distribution, in multiples of the total bet: (0, 1], (1, 2], …
BUCKET_EDGES = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 500.0)


# --- Tabulating the pay rules -----------------------------------------------------------------


class Tables:
    """The game's strips as integer arrays and its pay rules as lookup tables."""

    def __init__(self, game: GameSpec) -> None:
        self.game = game
        self.codes = game.symbol_codes
        index = {code: i for i, code in enumerate(self.codes)}
        self.strips = [np.array([index[c] for c in strip], dtype=np.int64) for strip in game.strips]
        # windows[r][stop, row]: the symbol reel r shows at `row` when stopped at `stop`.
        self.windows = [
            np.stack([np.roll(strip, -row) for row in range(game.rows)], axis=1)
            for strip in self.strips
        ]
        scatter = game.scatter.symbol if game.scatter else None
        self.scatter_visible = [
            (window == index[scatter]).any(axis=1).astype(np.int64)
            if scatter is not None
            else np.zeros(len(window), dtype=np.int64)
            for window in self.windows
        ]
        self.scatter_pay = np.zeros(game.reels + 1, dtype=np.int64)
        self.awarded = np.zeros(game.reels + 1, dtype=np.int64)
        if game.scatter is not None:
            for count, pay in game.scatter.pays.items():
                self.scatter_pay[count] = pay * game.bet_multiplier
            for count, spins in game.scatter.free_spins.items():
                self.awarded[count] = spins

    @property
    def symbol_count(self) -> int:
        return len(self.codes)

    def line_table(self) -> IntArray:
        """Credits of a line for every symbol tuple, indexed Σ symbol_r · S^r."""
        s, reels = self.symbol_count, self.game.reels
        table = np.zeros(s**reels, dtype=np.int64)
        for combo in itertools.product(range(s), repeat=reels):
            paid = line_pay(self.game, [self.codes[i] for i in combo])
            if paid:
                table[sum(sym * s**r for r, sym in enumerate(combo))] = paid[2]
        return table

    def match_counts(self, symbol_index: int) -> list[IntArray]:
        """Per reel and stop: how many of the window's symbols match (symbol or wild)."""
        wild = self.codes.index(self.game.wild) if self.game.wild else -1
        return [
            ((window == symbol_index) | (window == wild)).sum(axis=1).astype(np.int64)
            for window in self.windows
        ]

    def ways_table(self, symbol_index: int) -> IntArray:
        """Credits of a symbol's ways for every count tuple, indexed Σ count_r · (rows+1)^r."""
        base, reels = self.game.rows + 1, self.game.reels
        symbol = self.game.symbols[symbol_index]
        table = np.zeros(base**reels, dtype=np.int64)
        for counts in itertools.product(range(base), repeat=reels):
            paid = ways_pay(symbol, counts)
            if paid:
                table[sum(c * base**r for r, c in enumerate(counts))] = paid[2]
        return table


# --- Free spins ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureValue:
    mean: float  # E[V]: expected pay of one free spin and all it retriggers
    second_moment: float  # E[V²] (nan when only the mean was computed)


def feature_value(
    game: GameSpec,
    scatters: FloatArray,
    mean_b: float,
    mean_b2: float = math.nan,
    mean_b_by_scatters: FloatArray | None = None,
) -> FeatureValue:
    """E[V] (and E[V²]) per free spin started. `scatters[k]`: P(k scatters in view);
    `mean_b_by_scatters[k]`: E[B · 1{k scatters}]."""
    feature = game.free_spins
    if feature is None or game.scatter is None:
        return FeatureValue(0.0, 0.0)
    m = feature.multiplier
    awards = game.scatter.free_spins
    retrigger = np.array(
        [awards.get(k, 0) if feature.retrigger else 0 for k in range(game.reels + 1)],
        dtype=np.float64,
    )
    mean_a = float((scatters * retrigger).sum())
    if mean_a >= 1:
        raise ValueError(f"{game.id}: retriggers make the feature endless (E[A] = {mean_a})")
    mean_v = m * mean_b / (1 - mean_a)
    if mean_b_by_scatters is None:
        return FeatureValue(mean_v, math.nan)
    mean_x2 = m * m * mean_b2
    mean_xa = m * float((mean_b_by_scatters * retrigger).sum())
    mean_a_a1 = float((scatters * retrigger * (retrigger - 1)).sum())
    second = (mean_x2 + 2 * mean_xa * mean_v + mean_a_a1 * mean_v**2) / (1 - mean_a)
    return FeatureValue(mean_v, second)


# --- By independence ----------------------------------------------------------------------


@dataclass(frozen=True)
class Exact:
    """The game's return computed from per-reel probabilities alone."""

    bet: int  # credits staked per spin
    base_credits: float  # expected base-game pay per spin (lines or ways, and scatter)
    feature_credits: float  # expected free-spins pay per spin
    scatter_distribution: list[float]  # P(k scatters in view), k = 0..reels

    @property
    def rtp_base(self) -> float:
        return self.base_credits / self.bet

    @property
    def rtp_feature(self) -> float:
        return self.feature_credits / self.bet

    @property
    def rtp(self) -> float:
        return self.rtp_base + self.rtp_feature


def _joint(distributions: list[FloatArray]) -> FloatArray:
    """The joint distribution of independent reels, flattened in Σ value_r · base^r order."""
    joint = distributions[-1]
    for distribution in reversed(distributions[:-1]):
        joint = np.multiply.outer(joint, distribution)
    return joint.ravel()


def exact(game: GameSpec) -> Exact:
    tables = Tables(game)
    s = tables.symbol_count
    if game.lines is not None:
        frequencies = [np.bincount(strip, minlength=s) / len(strip) for strip in tables.strips]
        per_line = float((_joint(frequencies) * tables.line_table()).sum())
        pay = per_line * len(game.lines)  # every position of a line is distributed alike
    else:
        pay = 0.0
        for symbol_index, symbol in enumerate(game.symbols):
            if symbol.pays:
                counts = [
                    np.bincount(c, minlength=game.rows + 1) / len(c)
                    for c in tables.match_counts(symbol_index)
                ]
                pay += float((_joint(counts) * tables.ways_table(symbol_index)).sum())
    scatters = np.zeros(game.reels + 1)
    scatters[0] = 1.0
    for visible in tables.scatter_visible:  # one Bernoulli per reel, convolved
        q = float(visible.mean())
        scatters = scatters * (1 - q) + np.concatenate(([0.0], scatters[:-1])) * q
    base = pay + float((scatters * tables.scatter_pay).sum())
    per_free_spin = feature_value(game, scatters, base).mean
    feature = float((scatters * tables.awarded).sum()) * per_free_spin
    return Exact(game.bet_multiplier, base, feature, [float(x) for x in scatters])


# --- By enumeration -------------------------------------------------------------------------


@dataclass(frozen=True)
class Enumeration:
    """Sums over every reel-stop combination of the base game (integers: exact)."""

    game: GameSpec
    combinations: int
    total: int  # Σ B, credits
    total_squares: int  # Σ B²
    hits: int  # combinations that pay
    max_credits: int
    by_scatters: list[int]  # combinations with k scatters in view
    total_by_scatters: list[int]  # Σ B over those
    buckets: list[int]  # combinations per win bucket: none, then BUCKET_EDGES intervals

    @property
    def bet(self) -> int:
        return self.game.bet_multiplier

    def _scatters(self) -> FloatArray:
        return np.array(self.by_scatters, dtype=np.float64) / self.combinations

    def _feature(self) -> FeatureValue:
        n = self.combinations
        return feature_value(
            self.game,
            self._scatters(),
            self.total / n,
            self.total_squares / n,
            np.array(self.total_by_scatters, dtype=np.float64) / n,
        )

    @property
    def rtp_base(self) -> float:
        return self.total / self.combinations / self.bet

    @property
    def trigger_spins(self) -> FloatArray:
        return np.array(
            [self.game.scatter.free_spins.get(k, 0) if self.game.scatter else 0
             for k in range(self.game.reels + 1)],
            dtype=np.float64,
        )  # fmt: skip

    @property
    def rtp_feature(self) -> float:
        spins = float((self._scatters() * self.trigger_spins).sum())
        return spins * self._feature().mean / self.bet

    @property
    def rtp(self) -> float:
        return self.rtp_base + self.rtp_feature

    @property
    def hit_frequency(self) -> float:
        """Share of base-game spins that pay something."""
        return self.hits / self.combinations

    @property
    def feature_frequency(self) -> float:
        return float(self._scatters()[self.trigger_spins > 0].sum())

    @property
    def volatility(self) -> float:
        """Standard deviation of a spin's total pay (free spins included), per unit bet."""
        n = self.combinations
        p = self._scatters()
        spins = self.trigger_spins
        feature = self._feature()
        mean_b = self.total / n
        b_by = np.array(self.total_by_scatters, dtype=np.float64) / n
        mean = mean_b + float((p * spins).sum()) * feature.mean
        feature_sq = spins * feature.second_moment + spins * (spins - 1) * feature.mean**2
        if self.game.free_spins is None:
            feature_sq = np.zeros_like(p)
        second = (
            self.total_squares / n
            + 2 * float((b_by * spins).sum()) * feature.mean
            + float((p * feature_sq).sum())
        )
        return math.sqrt(max(second - mean * mean, 0.0)) / self.bet

    @property
    def max_win(self) -> float:
        """The largest single spin's pay, in multiples of the bet: a base spin, or a free spin
        with its multiplier. (A feature's total can exceed it through retriggers.)"""
        multiplier = self.game.free_spins.multiplier if self.game.free_spins else 1
        return self.max_credits * multiplier / self.bet

    def distribution(self) -> list[tuple[str, float]]:
        """(bucket, probability) of a base-game spin's pay in multiples of the bet."""
        labels = ["0"]
        edges = list(BUCKET_EDGES)
        labels += [f"{a:g}-{b:g}" for a, b in itertools.pairwise(edges)]
        labels.append(f">{edges[-1]:g}")
        return [
            (label, count / self.combinations)
            for label, count in zip(labels, self.buckets, strict=True)
        ]


Progress = Callable[[int, int], None]


def _broadcast_sum(parts: list[IntArray], sizes: list[int], dtype: type) -> IntArray:
    """Σ parts[r][stop_r] for every combination of the given reels, flattened (C order)."""
    total: IntArray = np.zeros(sizes, dtype=dtype)
    for axis, part in enumerate(parts):
        shape = [1] * len(sizes)
        shape[axis] = sizes[axis]
        total = total + part.astype(dtype).reshape(shape)
    return total.ravel()


def enumerate_base(game: GameSpec, progress: Progress | None = None) -> Enumeration:
    """Evaluate every reel-stop combination of the base game, one first-reel stop at a time
    (the other reels vectorised)."""
    tables = Tables(game)
    sizes = [len(strip) for strip in tables.strips]
    rest = sizes[1:]
    lookups: list[tuple[IntArray, IntArray, IntArray]] = []  # (table, head, part)
    if game.lines is not None:
        table = tables.line_table()
        s = tables.symbol_count
        for line in game.lines:
            parts = [tables.windows[r][:, line[r]] * s**r for r in range(1, game.reels)]
            head = tables.windows[0][:, line[0]]
            lookups.append((table, head, _broadcast_sum(parts, rest, np.int32)))
    else:
        base = game.rows + 1
        for symbol_index, symbol in enumerate(game.symbols):
            if symbol.pays:
                counts = tables.match_counts(symbol_index)
                parts = [counts[r] * base**r for r in range(1, game.reels)]
                table = tables.ways_table(symbol_index)
                lookups.append((table, counts[0], _broadcast_sum(parts, rest, np.int32)))
    scatter_rest = _broadcast_sum(tables.scatter_visible[1:], rest, np.int8)
    edges = np.array(BUCKET_EDGES) * game.bet_multiplier
    reels = game.reels
    total = squares = hits = top = 0
    by_scatters = np.zeros(reels + 1, dtype=np.int64)
    total_by = np.zeros(reels + 1, dtype=np.int64)
    buckets = np.zeros(len(BUCKET_EDGES) + 1, dtype=np.int64)
    for stop in range(sizes[0]):
        pay = np.zeros(scatter_rest.shape, dtype=np.int64)
        for table, head, part in lookups:
            pay += table[part + int(head[stop])]
        scatters = scatter_rest + np.int8(tables.scatter_visible[0][stop])
        pay += tables.scatter_pay[scatters]
        total += int(pay.sum())
        squares += int(np.dot(pay, pay))
        hits += int(np.count_nonzero(pay))
        top = max(top, int(pay.max()))
        by_scatters += np.bincount(scatters, minlength=reels + 1)
        # Float sums of integers stay exact far beyond one block's total (2**53).
        total_by += np.rint(np.bincount(scatters, weights=pay, minlength=reels + 1)).astype(
            np.int64
        )
        buckets += np.bincount(
            np.searchsorted(edges, pay, side="left"), minlength=len(BUCKET_EDGES) + 1
        )
        if progress is not None:
            progress(stop + 1, sizes[0])
    return Enumeration(
        game=game,
        combinations=math.prod(sizes),
        total=total,
        total_squares=squares,
        hits=hits,
        max_credits=top,
        by_scatters=[int(x) for x in by_scatters],
        total_by_scatters=[int(x) for x in total_by],
        buckets=[int(x) for x in buckets],
    )
