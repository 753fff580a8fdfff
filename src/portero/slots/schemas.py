"""The slot page's play API, on the wire (amounts in minor units of the session's currency)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from portero.launches.reality import ResponsibleGamingOut
from portero.rounds.schemas import WalletOut

SpinId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class SpinIn(BaseModel):
    # Documented as SlotSpinIn: the other product has a `SpinIn` too (http/body.schema_name).
    model_config = ConfigDict(extra="forbid", title="SlotSpinIn")

    spin_id: SpinId = Field(
        description="Chosen by the page for each new spin and sent again on a retry: a spin "
        "is played once per id."
    )
    bet: StrictInt = Field(description="Total bet in minor units: one of the game's bet levels.")


class SymbolOut(BaseModel):
    code: str
    glyph: str
    pays: dict[int, int]


class ScatterOut(BaseModel):
    symbol: str
    pays: dict[int, int]
    free_spins: dict[int, int]


class FreeSpinsOut(BaseModel):
    multiplier: int
    retrigger: bool


class FiguresOut(BaseModel):
    rtp: float
    rtp_base: float
    rtp_feature: float
    hit_frequency: float
    volatility: float
    max_win: float
    feature_frequency: float


class GameOut(BaseModel):
    id: str
    name: str
    reels: int
    rows: int
    lines: list[list[int]] | None
    ways: bool
    bet_multiplier: int
    symbols: list[SymbolOut]
    wild: str | None
    scatter: ScatterOut | None
    free_spins: FreeSpinsOut | None
    figures: FiguresOut


class TableOut(BaseModel):
    game: GameOut
    currency: str
    minor_units: int
    bet_levels: list[int] = Field(description="Total bets offered, in minor units")
    balance: int
    wallet: WalletOut
    autoplay: bool = Field(
        default=True,
        description="Whether the page may offer autoplay: the partner's configuration and the "
        "launch's `responsible_gaming.autoplay` both allow it.",
    )
    responsible_gaming: ResponsibleGamingOut | None = Field(
        default=None, description="The session's limits and figures; null: no limits."
    )


class WinOut(BaseModel):
    kind: Literal["line", "ways", "scatter"]
    symbol: str
    count: int
    line: int | None
    ways: int | None
    positions: list[tuple[int, int]]
    amount: int


class ReelSpinOut(BaseModel):
    stops: list[int]
    window: list[list[str]]
    multiplier: int
    wins: list[WinOut]
    amount: int
    free_spins_awarded: int


class SpinRecordOut(BaseModel):
    id: str
    spin_id: str
    created_at: datetime
    game_id: str
    currency: str
    minor_units: int
    bet: int
    win: int
    balance_after: int | None = Field(
        description="The balance after the spin, as the wallet reported it."
    )
    win_pending: bool = Field(
        default=False, description="The win is being paid: the wallet has not confirmed it yet."
    )
    base: ReelSpinOut
    free_spins: list[ReelSpinOut]


class SpinOut(BaseModel):
    spin: SpinRecordOut
    balance: int | None
    replayed: bool
    responsible_gaming: ResponsibleGamingOut | None = Field(
        default=None, description="The session's limits and figures; null: no limits."
    )


class SpinsOut(BaseModel):
    data: list[SpinRecordOut]
