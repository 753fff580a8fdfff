"""Minor units of ISO 4217 currencies: every amount Portero stores is an integer of them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

from iso4217 import Currency


@cache
def minor_units(currency: str) -> int:
    """Decimal places of the currency's minor unit (EUR 2, JPY 0, BHD 3).

    Codes ISO 4217 gives no minor unit (gold, SDRs: "N.A.") count in whole units.
    """
    try:
        exponent = Currency(currency.upper()).exponent
    except ValueError:
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code") from None
    return exponent or 0


def to_minor(amount: str | Decimal, currency: str) -> int:
    """'12.50' EUR → 1250. Refuses amounts finer than the currency's minor unit (0.5 JPY)."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not a number") from None
    scaled = value.scaleb(minor_units(currency))
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is finer than the currency's minor unit")
    return int(scaled)


def to_major(amount: int, currency: str) -> Decimal:
    """1250 EUR minor units → Decimal('12.50'), for people to read."""
    return Decimal(amount).scaleb(-minor_units(currency))
