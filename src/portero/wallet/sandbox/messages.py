"""The five One Wallet requests as the sandbox reads them, and the replies it writes.

Reading is strict on purpose: a partner (or Portero) that sends a field of the wrong type, an
amount One Wallet's two decimals cannot carry, or a currency ISO 4217 does not know, should
learn it from the sandbox (`INVALID_PARAMETER`) rather than from a real operator in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portero.wallet.currency import minor_units
from portero.wallet.onewallet.wire import HUNDREDTH


class Malformed(ValueError):
    """A request the sandbox cannot read; answered INVALID_PARAMETER, nothing recorded."""


@dataclass(frozen=True, slots=True)
class CheckRequest:
    sid: str
    user_id: str


@dataclass(frozen=True, slots=True)
class BalanceRequest:
    sid: str
    user_id: str
    currency: str


@dataclass(frozen=True, slots=True)
class MoneyRequest:
    """A debit, credit or cancel: `round_id` is `game.id`, `transaction_id` the movement's id
    (for a cancel, the debit's own), `ref_id` the debit a credit settles."""

    sid: str
    user_id: str
    currency: str
    round_id: str
    transaction_id: str
    ref_id: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Answer:
    """What a rule decided. `balance` is None when the sandbox cannot say whose balance the
    request is about (it was unreadable); `sid` is set by `check` only."""

    status: str
    balance: Decimal | None = None
    sid: str | None = None
    retransmission: bool = False


def _text(body: Mapping[str, Any], key: str, *, may_be_empty: bool = False) -> str:
    value = body.get(key)
    if not isinstance(value, str) or (not value and not may_be_empty):
        raise Malformed(f"{key} must be a {'' if may_be_empty else 'non-empty '}string")
    return value


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise Malformed(f"{key} must be an object")
    return value


def currency_code(code: object) -> str:
    """An ISO 4217 code as the wire writes it (three capitals); Malformed otherwise."""
    if not isinstance(code, str) or len(code) != 3 or code != code.upper():
        raise Malformed("currency must be an ISO 4217 code")
    try:
        minor_units(code)
    except ValueError:
        raise Malformed("currency must be an ISO 4217 code") from None
    return code


def _currency(body: Mapping[str, Any]) -> str:
    return currency_code(body.get("currency"))


def amount_of(value: object) -> Decimal:
    """A non-negative amount that two decimal places carry exactly (`1.5` is `1.50`; `1.234`
    is refused, never rounded). Numbers only: the wire's amounts are JSON numbers."""
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise Malformed("amount must be a non-negative number")
    try:
        exact = value.quantize(HUNDREDTH)
    except InvalidOperation:
        raise Malformed("amount is too large") from None
    if exact != value:
        raise Malformed("amount must have at most two decimal places")
    return exact


def parse_check(body: Mapping[str, Any]) -> CheckRequest:
    channel = _object(body, "channel")
    _text(channel, "type")
    _text(body, "uuid", may_be_empty=True)
    return CheckRequest(sid=_text(body, "sid", may_be_empty=True), user_id=_text(body, "userId"))


def parse_balance(body: Mapping[str, Any]) -> BalanceRequest:
    game = body.get("game")
    if game is not None and not isinstance(game, dict):
        raise Malformed("game must be null or an object")
    _text(body, "uuid", may_be_empty=True)
    return BalanceRequest(
        sid=_text(body, "sid", may_be_empty=True),
        user_id=_text(body, "userId"),
        currency=_currency(body),
    )


def parse_money(body: Mapping[str, Any]) -> MoneyRequest:
    game, transaction = _object(body, "game"), _object(body, "transaction")
    ref_id = transaction.get("refId")
    if ref_id is not None and not isinstance(ref_id, str):
        raise Malformed("transaction.refId must be a string or null")
    _text(body, "uuid", may_be_empty=True)
    return MoneyRequest(
        sid=_text(body, "sid", may_be_empty=True),
        user_id=_text(body, "userId"),
        currency=_currency(body),
        round_id=_text(game, "id"),
        transaction_id=_text(transaction, "id"),
        ref_id=ref_id or None,
        amount=amount_of(transaction.get("amount")),
    )


def uuid_of(body: object) -> str | None:
    """The request's `uuid`, echoed in the reply (for the caller's logs) when it is a string."""
    uuid = body.get("uuid") if isinstance(body, dict) else None
    return uuid if isinstance(uuid, str) else None


def reply_body(method: str, answer: Answer, uuid: str | None) -> dict[str, Any]:
    """The reply's JSON: `check` → status, sid, uuid; the others → status, balance, uuid, and
    `retransmission: true` only when the request repeated one already answered."""
    if method == "check":
        return {"status": answer.status, "sid": answer.sid, "uuid": uuid}
    body: dict[str, Any] = {"status": answer.status, "balance": answer.balance, "uuid": uuid}
    if answer.retransmission:
        body["retransmission"] = True
    return body
