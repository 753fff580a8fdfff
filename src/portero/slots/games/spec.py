"""A slot game as data: reel strips, window, paylines or ways, paytable, wild, scatter and the
free-spins feature. Every game file beside this module is validated against this at start-up."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from portero.wallet.currency import minor_units

LANGUAGES = ("en", "es", "ja", "zh", "ko")
SymbolCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Symbol(_Strict):
    code: SymbolCode
    glyph: str = Field(min_length=1, max_length=4, description="What the page draws")
    # Credits for 3, 4, 5 of a kind on a line (or per way), left to right; empty for symbols
    # that do not pay by themselves (the wild, the scatter).
    pays: dict[int, int] = Field(default_factory=dict)


NonNegative = Annotated[int, Field(ge=0)]


class Scatter(_Strict):
    symbol: SymbolCode
    pays: dict[int, NonNegative] = Field(description="Scatter count → multiple of the total bet")
    free_spins: dict[int, NonNegative] = Field(description="Scatter count → free spins awarded")


class FreeSpins(_Strict):
    multiplier: int = Field(ge=1, le=10, description="Every win of a free spin is multiplied")
    retrigger: bool = Field(description="Scatters during free spins award more free spins")
    max_spins: int = Field(
        default=1000, ge=1, description="Safety bound on one feature's free spins"
    )


class Published(_Strict):
    """The figures the catalogue publishes (what regulators ask for), as computed by
    `portero slots report`; the tests recompute every one of them."""

    rtp: float
    rtp_base: float
    rtp_feature: float
    hit_frequency: float
    volatility: float
    max_win: float = Field(description="Largest single spin, in multiples of the total bet")
    feature_frequency: float


class GameSpec(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
    names: dict[str, str]
    rows: int = Field(ge=1, le=6)
    strips: list[list[SymbolCode]] = Field(min_length=3, max_length=6)
    lines: list[list[int]] | None = None  # row index per reel, top row 0
    ways: bool = False
    bet_multiplier: int = Field(ge=1, description="Credits per spin: the total bet")
    symbols: list[Symbol]
    wild: SymbolCode | None = None
    scatter: Scatter | None = None
    free_spins: FreeSpins | None = None
    credit_values: dict[str, list[int]] = Field(
        description="Currency → the value of one credit in minor units, one per bet level"
    )
    published: Published

    @property
    def reels(self) -> int:
        return len(self.strips)

    @property
    def symbol_codes(self) -> list[str]:
        return [symbol.code for symbol in self.symbols]

    @cached_property
    def paying(self) -> list[Symbol]:
        """Asked for every line of every spin: computed once (the model is frozen)."""
        return [symbol for symbol in self.symbols if symbol.pays]

    @model_validator(mode="after")
    def _consistent(self) -> GameSpec:
        codes = set(self.symbol_codes)
        problems: list[str] = []
        if missing := set(LANGUAGES) - set(self.names):
            problems.append(f"names missing for {sorted(missing)}")
        if len(codes) != len(self.symbols):
            problems.append("a symbol is defined twice")
        for index, strip in enumerate(self.strips):
            if unknown := set(strip) - codes:
                problems.append(f"strip {index} uses undefined symbols {sorted(unknown)}")
            if len(strip) < self.rows:
                problems.append(f"strip {index} is shorter than the window")
        if (self.lines is None) == (not self.ways):
            problems.append("define either lines or ways")
        for index, line in enumerate(self.lines or []):
            if len(line) != self.reels or not all(0 <= row < self.rows for row in line):
                problems.append(f"line {index} does not fit a {self.reels}x{self.rows} window")
        for symbol in self.symbols:
            if any(not 1 <= count <= self.reels or pay < 0 for count, pay in symbol.pays.items()):
                problems.append(f"symbol {symbol.code} pays for impossible counts")
        special = {c for c in (self.wild, self.scatter.symbol if self.scatter else None) if c}
        if special - codes:
            problems.append("the wild or the scatter is not a defined symbol")
        if any(symbol.pays for symbol in self.symbols if symbol.code in special):
            problems.append("the wild and the scatter have no line pays of their own")
        if self.scatter is not None:
            problems += self._scatter_problems(self.scatter)
        if (self.free_spins is None) != (
            self.scatter is None or not any(self.scatter.free_spins.values())
        ):
            problems.append("free_spins settings go with a scatter that awards free spins")
        # The bound is a safety net the mathematics ignores: it must never cut a trigger short.
        if (
            self.free_spins is not None
            and self.scatter is not None
            and self.free_spins.max_spins < max(self.scatter.free_spins.values())
        ):
            problems.append("max_spins is smaller than a trigger's award")
        for currency, values in self.credit_values.items():
            try:
                minor_units(currency)
            except ValueError as error:
                problems.append(str(error))
            if not values or values != sorted(set(values)) or values[0] < 1:
                problems.append(f"{currency}: credit values must be increasing and positive")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _scatter_problems(self, scatter: Scatter) -> list[str]:
        problems = []
        for index, strip in enumerate(self.strips):
            # At most one scatter in view per reel: the scatter count is then the number of
            # reels showing one, which the exact mathematics relies on.
            n = len(strip)
            at = [i for i, code in enumerate(strip) if code == scatter.symbol]
            if any((b - a) % n < self.rows for a in at for b in at if a != b):
                problems.append(f"strip {index}: scatters closer than the window height")
        counts = set(scatter.pays) | set(scatter.free_spins)
        if not all(1 <= count <= self.reels for count in counts):
            problems.append("scatter counts beyond the number of reels")
        return problems
