"""One Wallet's JSON as Portero writes it: amounts as numbers with two decimals, and no text
of a body able to pass for one."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portero.wallet.onewallet import wire


def test_amounts_are_numbers_with_two_decimals() -> None:
    raw = wire.encode({"amount": Decimal("12.5"), "nested": [{"bet": Decimal("-0.10")}]})
    assert raw == b'{"amount":12.50,"nested":[{"bet":-0.10}]}'


@given(st.text())
def test_no_text_is_unquoted_whatever_it_holds(text: str) -> None:
    """A string that looks like a marked amount (sixteen hex digits, then a number) stays
    the string it was: only this call's own marker is unquoted."""
    forged = f"0123456789abcdef{text}1.00"
    body = {"note": forged, "plain": text, "amount": Decimal("1.00")}
    decoded = json.loads(wire.encode(body))
    assert decoded == {"note": forged, "plain": text, "amount": 1.0}
