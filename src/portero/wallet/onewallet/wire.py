"""One Wallet on the wire: the five methods' request bodies, the replies, the statuses and what
each means, and amounts as decimals of the currency's units.

Amounts travel with two decimal places (`12.50`; JPY `100.00`). A currency with three (BHD,
KWD, …) is played in whole hundredths of its unit when the wallet is seamless: an amount that
two decimals cannot hold exactly is refused before anything is recorded (`two_decimals`), so
that no rounding ever happens on either side.
"""

from __future__ import annotations

import enum
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from portero.wallet.currency import minor_units

METHODS = ("check", "balance", "debit", "credit", "cancel")
MONEY_METHODS = ("debit", "credit", "cancel")
CHANNEL_DESKTOP = "P"
CHANNEL_MOBILE = "M"
HUNDREDTH = Decimal("0.01")


class StatusClass(enum.StrEnum):
    ok = "ok"  # the movement happened (now, or earlier: a replay)
    retry = "retry"  # nothing is known: try again later (never for check and balance)
    final = "final"  # refused for this bet; the player stays in the game and is told
    fatal = "fatal"  # the player's session is over


OK = "OK"
BET_ALREADY_EXIST = "BET_ALREADY_EXIST"
BET_ALREADY_SETTLED = "BET_ALREADY_SETTLED"
TEMPORARY_ERROR = "TEMPORARY_ERROR"
INVALID_TOKEN_ID = "INVALID_TOKEN_ID"  # noqa: S105 (a status name, not a secret)
INVALID_SID = "INVALID_SID"
ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
FATAL_ERROR_CLOSE_USER_SESSION = "FATAL_ERROR_CLOSE_USER_SESSION"
UNKNOWN_ERROR = "UNKNOWN_ERROR"
INVALID_PARAMETER = "INVALID_PARAMETER"
BET_DOES_NOT_EXIST = "BET_DOES_NOT_EXIST"
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
STATUSES: dict[str, StatusClass] = {
    OK: StatusClass.ok,
    BET_ALREADY_EXIST: StatusClass.ok,
    BET_ALREADY_SETTLED: StatusClass.ok,
    TEMPORARY_ERROR: StatusClass.retry,
    INVALID_TOKEN_ID: StatusClass.fatal,
    INVALID_SID: StatusClass.fatal,
    ACCOUNT_LOCKED: StatusClass.fatal,
    FATAL_ERROR_CLOSE_USER_SESSION: StatusClass.fatal,
    UNKNOWN_ERROR: StatusClass.final,
    INVALID_PARAMETER: StatusClass.final,
    BET_DOES_NOT_EXIST: StatusClass.final,
    INSUFFICIENT_FUNDS: StatusClass.final,
}


def normalise_status(status: object) -> str:
    """The status as Portero acts on it: a status string One Wallet does not define counts
    as UNKNOWN_ERROR."""
    return status if isinstance(status, str) and status in STATUSES else UNKNOWN_ERROR


def classify(status: str) -> StatusClass:
    return STATUSES.get(status, StatusClass.final)


class NotTwoDecimals(ValueError):
    """An amount that One Wallet's two decimal places cannot carry exactly."""


def two_decimals(minor: int, currency: str) -> Decimal:
    """An amount in minor units as One Wallet sends it: 1250 EUR → 12.50, 100 JPY → 100.00."""
    value = Decimal(minor).scaleb(-minor_units(currency))
    exact = value.quantize(HUNDREDTH)
    if exact != value:
        raise NotTwoDecimals(f"{value} {currency} has more than two decimal places")
    return exact


def to_minor_units(amount: Decimal, currency: str) -> int:
    """A balance a wallet reported, in minor units (a finer fraction is dropped: a balance is
    only shown)."""
    return int(amount.scaleb(minor_units(currency)).to_integral_value(ROUND_FLOOR))


def two_decimal_text(value: Decimal) -> str:
    """`value` with exactly two decimal places; ValueError if that would round it (or it is
    not a finite number): an amount is never rounded on its way to a wallet."""
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount")
    exact = value.quantize(HUNDREDTH)
    if exact != value:
        raise NotTwoDecimals(f"{value} has more than two decimal places")
    return format(exact, "f")


@dataclass(frozen=True, slots=True)
class GameRef:
    """`game` of a request: the round (`id`, Portero's round id), its type (`slots`,
    `roulette`) and its table (the game's id; no virtual table)."""

    id: str | None
    type: str
    table_id: str

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "details": {"table": {"id": self.table_id, "vid": None}},
        }


def check_body(*, sid: str, user_id: str, channel: str, uuid: str) -> dict[str, Any]:
    return {"sid": sid, "userId": user_id, "channel": {"type": channel}, "uuid": uuid}


def balance_body(
    *, sid: str, user_id: str, currency: str, game: GameRef | None, uuid: str
) -> dict[str, Any]:
    return {
        "sid": sid,
        "userId": user_id,
        "currency": currency,
        "game": game.wire() if game else None,
        "uuid": uuid,
    }


def transaction_body(
    *,
    sid: str,
    user_id: str,
    currency: str,
    game: GameRef,
    transaction_id: str,
    ref_id: str,
    amount: Decimal,
    uuid: str,
) -> dict[str, Any]:
    """A debit, credit or cancel. A credit names its debit in `ref_id`; a cancel carries the
    debit's own `transaction_id` (and `ref_id`), and is executed by that id alone."""
    return {
        "sid": sid,
        "userId": user_id,
        "currency": currency,
        "game": game.wire(),
        "transaction": {"id": transaction_id, "refId": ref_id, "amount": amount},
        "uuid": uuid,
    }


_MARKED = re.compile(r'"([0-9a-f]{16})(-?[0-9]+\.[0-9]+)"')


def encode(body: Mapping[str, Any]) -> bytes:
    """JSON with every Decimal written as the number it is (`12.50`, never `12.5` or a string).
    json writes each Decimal as a string behind a marker made for this call, which is then
    unquoted; no text of the body can forge the marker."""
    marker = secrets.token_hex(8)

    def fixed(value: object) -> str:
        if isinstance(value, Decimal):
            return marker + two_decimal_text(value)
        raise TypeError(f"{type(value).__name__} is not JSON")

    text = json.dumps(body, default=fixed, separators=(",", ":"), ensure_ascii=False)
    # One pattern for every call (a pattern per marker would be compiled per call).
    return _MARKED.sub(lambda m: m[2] if m[1] == marker else m[0], text).encode()


def decode(raw: bytes) -> dict[str, Any] | None:
    """A reply's JSON object, numbers as Decimals; None if it is not one."""
    try:
        value = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True, slots=True)
class Reply:
    status: str  # normalised (normalise_status)
    balance: Decimal | None
    sid: str | None
    uuid: str | None
    retransmission: bool

    @property
    def kind(self) -> StatusClass:
        return classify(self.status)


def parse_reply(payload: Mapping[str, Any]) -> Reply | None:
    """A reply's fields; None when it carries no status (unreadable: TEMPORARY_ERROR)."""
    status = payload.get("status")
    if not isinstance(status, str):
        return None
    balance = payload.get("balance")
    try:
        # A number (decode() reads them as Decimals); a string is forgiven, a bool is not one.
        readable = not isinstance(balance, bool) and isinstance(balance, Decimal | int | str)
        amount = Decimal(balance) if readable and balance is not None else None
    except InvalidOperation:
        amount = None
    if amount is not None and not amount.is_finite():
        amount = None
    sid, uuid = payload.get("sid"), payload.get("uuid")
    return Reply(
        status=normalise_status(status),
        balance=amount,
        sid=sid if isinstance(sid, str) and sid else None,
        uuid=uuid if isinstance(uuid, str) else None,
        retransmission=payload.get("retransmission") is True,
    )
