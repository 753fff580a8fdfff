"""The table's play API, on the wire (amounts in minor units of the session's currency)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from portero.launches.reality import ResponsibleGamingOut
from portero.roulette.bets import BetType
from portero.rounds.schemas import WalletOut

RoundId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
# No ':' (the separator of the HMAC message) and nothing invisible: the player types it.
ClientSeed = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
]
MAX_BETS = 160  # more than the number of distinct spots on the layout


class BetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: BetType
    numbers: list[StrictInt] | None = Field(
        default=None, max_length=6, description="Inside bets: the numbers covered."
    )
    target: StrictInt | None = Field(default=None, description="Dozen or column: 1, 2 or 3.")
    amount: StrictInt = Field(description="Stake in minor units.")


class SpinIn(BaseModel):
    # Documented as RouletteSpinIn: the other product has a `SpinIn` too (http/body.schema_name).
    model_config = ConfigDict(extra="forbid", title="RouletteSpinIn")

    round_id: RoundId = Field(
        description="Chosen by the page for each new round and sent again on a retry: a round "
        "is played once per id."
    )
    bets: list[BetIn] = Field(min_length=1, max_length=MAX_BETS)
    client_seed: ClientSeed | None = Field(
        default=None, description="Replaces the player's client seed from this round on."
    )


class Limits(BaseModel):
    min_bet: int
    max_bet: int


class Commitment(BaseModel):
    """The next round's fairness inputs, shown before any bet."""

    server_seed_hash: str
    client_seed: str
    nonce: int


class TableOut(BaseModel):
    currency: str
    minor_units: int
    limits: Limits
    chips: list[int]
    balance: int
    wallet: WalletOut
    next: Commitment
    last_numbers: list[int] = Field(description="Newest first.")
    responsible_gaming: ResponsibleGamingOut | None = Field(
        default=None, description="The session's limits and figures; null: no limits."
    )


class BetOut(BaseModel):
    type: BetType
    numbers: list[int]
    target: int | None = None
    amount: int
    returned: int


class Fairness(BaseModel):
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int


class RoundOut(BaseModel):
    id: str
    round_id: str
    created_at: datetime
    currency: str
    minor_units: int
    bets: list[BetOut]
    total_stake: int
    total_return: int
    number: int
    color: Literal["green", "red", "black"]
    balance_after: int | None = Field(
        description="The balance after the round, as the wallet reported it."
    )
    win_pending: bool = Field(
        default=False, description="The return is being paid: the wallet has not confirmed it yet."
    )
    fairness: Fairness


class SpinOut(BaseModel):
    round: RoundOut
    balance: int | None
    next: Commitment
    replayed: bool = Field(description="True when this answers a retry of an earlier request.")
    responsible_gaming: ResponsibleGamingOut | None = Field(
        default=None, description="The session's limits and figures; null: no limits."
    )


class RoundsOut(BaseModel):
    data: list[RoundOut]
