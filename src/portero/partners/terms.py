"""A partner's money terms per currency: the demo credit a new player starts with and the
table limits, all in minor units."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from portero.wallet.currency import minor_units

# Defaults in whole units of the currency, for currencies a partner has not configured.
DEFAULT_CREDIT_UNITS = 1_000
DEFAULT_MIN_BET_UNITS = 1
DEFAULT_MAX_BET_UNITS = 500


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
    unit = 10 ** minor_units(currency)
    return CurrencyTerms(
        demo_credit=DEFAULT_CREDIT_UNITS * unit,
        min_bet=DEFAULT_MIN_BET_UNITS * unit,
        max_bet=DEFAULT_MAX_BET_UNITS * unit,
    )


def terms_for(configured: Mapping[str, Any] | None, currency: str) -> CurrencyTerms:
    """The partner's terms for `currency` (stored as JSON), or the defaults."""
    raw = (configured or {}).get(currency)
    return CurrencyTerms.model_validate(raw) if raw else default_terms(currency)
