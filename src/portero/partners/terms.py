"""A partner's money terms per currency: the demo credit a new player starts with and the
table limits, all in minor units."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from portero.wallet.currency import minor_units

# Defaults for currencies a partner has not configured, in whole units of the euro or of a
# currency worth about as much: a demo credit of 1,000, bets from 1 to 500 a spot.
DEFAULT_CREDIT_UNITS = 1_000
DEFAULT_MIN_BET_UNITS = 1
DEFAULT_MAX_BET_UNITS = 500
# Currencies whose unit is worth much less, and how many of their units stand for one of the
# above: round figures near the exchange rate, so that 1,000 "euros" of play money is about as
# many spins in yen (100,000 JPY) as in euros, and the limits read naturally (100-50,000 JPY).
# Any other currency plays on the figures above (docs/wallets.md, "Demo").
UNIT_SCALE = {
    "ARS": 1_000, "BRL": 5, "CLP": 1_000, "CNY": 5, "COP": 5_000, "CZK": 25, "DKK": 10,
    "EGP": 50, "HKD": 10, "HUF": 500, "IDR": 10_000, "INR": 100, "ISK": 100, "JPY": 100,
    "KES": 100, "KRW": 1_000, "MXN": 20, "MYR": 5, "NGN": 1_000, "NOK": 10, "PEN": 5,
    "PHP": 50, "PLN": 5, "RON": 5, "RUB": 100, "SEK": 10, "THB": 50, "TRY": 50, "TWD": 50,
    "UAH": 50, "VND": 20_000, "ZAR": 20,
}  # fmt: skip


class CurrencyTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    demo_credit: StrictInt = Field(ge=0, le=10**15, description="Opening balance, minor units")
    min_bet: StrictInt = Field(ge=1, le=10**12, description="Smallest stake on one spot")
    max_bet: StrictInt = Field(ge=1, le=10**12, description="Largest stake on one spot")

    @model_validator(mode="after")
    def _ordered(self) -> CurrencyTerms:
        if self.min_bet > self.max_bet:
            raise ValueError("min_bet must not exceed max_bet")
        return self


def default_terms(currency: str) -> CurrencyTerms:
    unit = 10 ** minor_units(currency) * UNIT_SCALE.get(currency, 1)
    return CurrencyTerms(
        demo_credit=DEFAULT_CREDIT_UNITS * unit,
        min_bet=DEFAULT_MIN_BET_UNITS * unit,
        max_bet=DEFAULT_MAX_BET_UNITS * unit,
    )


def terms_for(configured: Mapping[str, Any] | None, currency: str) -> CurrencyTerms:
    """The partner's terms for `currency` (stored as JSON), or the defaults."""
    raw = (configured or {}).get(currency)
    return CurrencyTerms.model_validate(raw) if raw else default_terms(currency)
