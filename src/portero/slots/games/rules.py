"""How a window pays. The engine and the exact mathematics both call these functions (the
enumeration tabulates them once), so the RTP computed is the RTP of the code that pays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from portero.slots.games.spec import GameSpec, Symbol

Window = list[list[str]]  # window[reel][row]


@dataclass(frozen=True, slots=True)
class Win:
    kind: Literal["line", "ways", "scatter"]
    symbol: str
    count: int
    credits: int  # before any free-spins multiplier
    line: int | None = None
    ways: int | None = None
    positions: list[tuple[int, int]] = field(default_factory=list)  # (reel, row)


@dataclass(frozen=True, slots=True)
class Evaluation:
    wins: list[Win]
    credits: int
    scatters: int
    free_spins: int


def window_at(game: GameSpec, stops: Sequence[int]) -> Window:
    """Each reel shows `rows` consecutive symbols of its strip from its stop, wrapping."""
    return [
        [strip[(stop + row) % len(strip)] for row in range(game.rows)]
        for strip, stop in zip(game.strips, stops, strict=True)
    ]


def matches(game: GameSpec, symbol: Symbol, code: str) -> bool:
    return code == symbol.code or (game.wild is not None and code == game.wild)


def line_pay(game: GameSpec, codes: Sequence[str]) -> tuple[Symbol, int, int] | None:
    """The best left-to-right run on one line: (symbol, length, credits), or None. A run of
    wilds alone pays as the best symbol it can stand for."""
    # A symbol's run is the leading wilds, and beyond them only for the first other code:
    # every symbol but that one stops there. Found once per line rather than per symbol (a
    # spin evaluates every line of the base game and of each free spin).
    wild = game.wild
    wilds = 0
    for code in codes:
        if code != wild:
            break
        wilds += 1
    first = codes[wilds] if wilds < len(codes) else None
    run = wilds
    for code in codes[wilds:]:
        if code != first and code != wild:
            break
        run += 1
    best: tuple[Symbol, int, int] | None = None
    for symbol in game.paying:
        length = run if symbol.code == first else wilds
        credits = symbol.pays.get(length, 0)
        if credits and (best is None or credits > best[2]):
            best = (symbol, length, credits)
    return best


def ways_pay(symbol: Symbol, counts: Sequence[int]) -> tuple[int, int, int] | None:
    """Ways from the leftmost reel: with `counts[r]` matching symbols on reel r, a run over the
    first k reels pays `pays[k]` once per way (the product of the counts). (k, ways, credits)."""
    length, ways = 0, 1
    for count in counts:
        if count == 0:
            break
        length += 1
        ways *= count
    pay = symbol.pays.get(length, 0)
    return (length, ways, pay * ways) if pay else None


def scatter_count(game: GameSpec, window: Window) -> int:
    if game.scatter is None:
        return 0
    return sum(game.scatter.symbol in column for column in window)


def evaluate(game: GameSpec, window: Window) -> Evaluation:
    wins: list[Win] = []
    if game.lines is not None:
        for index, line in enumerate(game.lines):
            codes = [window[reel][row] for reel, row in enumerate(line)]
            paid = line_pay(game, codes)
            if paid:
                symbol, length, credits = paid
                positions = [(reel, line[reel]) for reel in range(length)]
                wins.append(
                    Win("line", symbol.code, length, credits, line=index, positions=positions)
                )
    else:
        for symbol in game.paying:
            counts = [sum(matches(game, symbol, code) for code in column) for column in window]
            paid_ways = ways_pay(symbol, counts)
            if paid_ways:
                length, ways, credits = paid_ways
                positions = [
                    (reel, row)
                    for reel in range(length)
                    for row, code in enumerate(window[reel])
                    if matches(game, symbol, code)
                ]
                wins.append(
                    Win("ways", symbol.code, length, credits, ways=ways, positions=positions)
                )
    scatters = scatter_count(game, window)
    free_spins = 0
    if game.scatter is not None and scatters:
        pay = game.scatter.pays.get(scatters, 0) * game.bet_multiplier
        if pay:
            positions = [
                (reel, row)
                for reel, column in enumerate(window)
                for row, code in enumerate(column)
                if code == game.scatter.symbol
            ]
            wins.append(Win("scatter", game.scatter.symbol, scatters, pay, positions=positions))
        free_spins = game.scatter.free_spins.get(scatters, 0)
    return Evaluation(wins, sum(w.credits for w in wins), scatters, free_spins)
