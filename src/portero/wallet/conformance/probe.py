"""Calling the wallet under test: every exchange bounded by a timeout, recorded whole (HTTP
status, content type, latency, the reply), and never raising for the wallet's faults.

The scenarios need the raw response (the content type, the time it took), which Portero's
pooled `WalletClients` deliberately hides, hence httpx directly here, with the same wire format
(`wire.encode`, `wire.decode`, `wire.parse_reply`). Like the client, nothing here puts the auth
token (it is in the query string) or a URL into a message.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from portero.wallet.currency import minor_units
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.wire import GameRef, Reply, StatusClass

OK = wire.OK
BET_ALREADY_EXIST = wire.BET_ALREADY_EXIST
BET_ALREADY_SETTLED = wire.BET_ALREADY_SETTLED
ACCEPTED = frozenset({OK, BET_ALREADY_EXIST, BET_ALREADY_SETTLED})  # One Wallet's successes
_REFUSED = frozenset({StatusClass.final, StatusClass.fatal})


@dataclass(frozen=True, slots=True)
class Target:
    """The wallet under test and the test account it may touch (a little, and back)."""

    base_url: str
    auth_token: str = field(repr=False)
    user_id: str
    sid: str
    currency: str
    timeout_seconds: float = 2.0
    latency_budget_seconds: float = 2.0
    game_type: str = "slots"
    table_id: str = "portero-conformance"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One call and what came back. `error` says why there is no usable reply (then `reply`
    is None); `http_status` and `content_type` are None when no response arrived at all."""

    method: str
    latency_ms: float
    http_status: int | None = None
    content_type: str | None = None
    reply: Reply | None = None
    payload: dict[str, Any] | None = None
    error: str | None = None
    timed_out: bool = False

    def describe(self) -> str:
        if self.reply is None:
            return self.error or "no reply"
        replay = " (retransmission)" if self.reply.retransmission else ""
        return f"{self.reply.status}{replay}"


class Failed(Exception):
    """A scenario's expectation that did not hold: what was expected, and what was seen."""

    def __init__(self, expected: str, seen: str) -> None:
        super().__init__(f"expected {expected}; saw {seen}")
        self.expected = expected
        self.seen = seen


def fresh_id(kind: str) -> str:
    """A new id for a transaction or a round: no scenario meets another's."""
    return f"conformance-{kind}-{uuid.uuid4().hex}"


def _why(error: httpx.HTTPError) -> str:
    # The class only: an httpx message may quote the URL, and with it the token.
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({type(error).__name__})"
    return f"broken reply or connection ({type(error).__name__})"


class Probe:
    """The calls of one conformance run, and the log of every exchange they made."""

    def __init__(self, target: Target, http: httpx.AsyncClient) -> None:
        self.target = target
        self.http = http
        self.sid = target.sid  # replaced by the sid `check` answers
        self.exchanges: list[Exchange] = []
        self.open_debits: dict[str, tuple[str, Decimal]] = {}  # id → (round, amount)
        self.stake = wire.two_decimals(10 ** minor_units(target.currency), target.currency)

    async def call(self, method: str, body: dict[str, Any]) -> Exchange:
        """POST `body` to `method`; the exchange, whatever happened (also kept in the log)."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.target.timeout_seconds):
                response = await self.http.post(
                    self.target.base_url.rstrip("/") + "/" + method,
                    params={"authToken": self.target.auth_token},
                    content=wire.encode(body),
                    headers={"Content-Type": "application/json"},
                )
        except (TimeoutError, httpx.TimeoutException):
            exchange = Exchange(
                method, _since(started), error="no answer within the timeout", timed_out=True
            )
        except httpx.HTTPError as error:
            exchange = Exchange(method, _since(started), error=_why(error))
        else:
            exchange = _read(method, response, _since(started))
        self.exchanges.append(exchange)
        return exchange

    def game(self, round_id: str) -> GameRef:
        return GameRef(id=round_id, type=self.target.game_type, table_id=self.target.table_id)

    async def check(self) -> Exchange:
        target = self.target
        body = wire.check_body(
            sid=self.sid, user_id=target.user_id, channel=wire.CHANNEL_DESKTOP, uuid=_uuid()
        )
        return await self.call("check", body)

    async def balance_call(self) -> Exchange:
        body = wire.balance_body(
            sid=self.sid,
            user_id=self.target.user_id,
            currency=self.target.currency,
            game=None,
            uuid=_uuid(),
        )
        return await self.call("balance", body)

    async def balance(self) -> Decimal:
        """The account's balance now, from `balance`; Failed if the wallet cannot say."""
        exchange = await self.balance_call()
        if exchange.reply is None or exchange.reply.status != OK or exchange.reply.balance is None:
            raise Failed("balance to answer OK with a balance", exchange.describe())
        return exchange.reply.balance

    async def debit(
        self, transaction_id: str, round_id: str, amount: Decimal, *, sid: str | None = None
    ) -> Exchange:
        """A debit; until its round is credited or it is cancelled, it is an open debit that
        the runner cancels after the scenario, to give the test account its money back."""
        self.open_debits[transaction_id] = (round_id, amount)
        exchange = await self._move("debit", transaction_id, transaction_id, round_id, amount, sid)
        if exchange.reply is not None and exchange.reply.kind in _REFUSED:
            del self.open_debits[transaction_id]  # refused: no money moved, nothing to cancel
        return exchange

    async def credit(
        self,
        transaction_id: str,
        debit_id: str,
        round_id: str,
        amount: Decimal,
        *,
        sid: str | None = None,
    ) -> Exchange:
        exchange = await self._move("credit", transaction_id, debit_id, round_id, amount, sid)
        if _accepted(exchange):
            self._close_round(round_id)
        return exchange

    async def cancel(
        self, debit_id: str, round_id: str, amount: Decimal, *, sid: str | None = None
    ) -> Exchange:
        exchange = await self._move("cancel", debit_id, debit_id, round_id, amount, sid)
        if _accepted(exchange):
            self.open_debits.pop(debit_id, None)
        return exchange

    async def settle_leftovers(self) -> None:
        """Cancel the debits a scenario left open (it failed half-way, or the wallet took a
        debit it should have refused). Best effort: whatever the answers, nothing raises."""
        for debit_id, (round_id, amount) in list(self.open_debits.items()):
            await self.cancel(debit_id, round_id, amount)
        self.open_debits.clear()

    def _close_round(self, round_id: str) -> None:
        for debit_id, (open_round, _) in list(self.open_debits.items()):
            if open_round == round_id:
                del self.open_debits[debit_id]

    async def _move(
        self,
        method: str,
        transaction_id: str,
        ref_id: str,
        round_id: str,
        amount: Decimal,
        sid: str | None,
    ) -> Exchange:
        body = wire.transaction_body(
            sid=self.sid if sid is None else sid,
            user_id=self.target.user_id,
            currency=self.target.currency,
            game=self.game(round_id),
            transaction_id=transaction_id,
            ref_id=ref_id,
            amount=amount,
            uuid=_uuid(),
        )
        return await self.call(method, body)


def _uuid() -> str:
    return str(uuid.uuid4())


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _accepted(exchange: Exchange) -> bool:
    return exchange.reply is not None and exchange.reply.status in ACCEPTED


def _read(method: str, response: httpx.Response, latency_ms: float) -> Exchange:
    """The response as a One Wallet reply, if it is one (whatever its content type says:
    the content type is judged by a scenario of its own, not by every other)."""
    status, content_type = response.status_code, response.headers.get("content-type")
    if status != 200:
        return Exchange(method, latency_ms, status, content_type, error=f"HTTP {status}")
    payload = wire.decode(response.content)
    reply = wire.parse_reply(payload) if payload is not None else None
    error = None if reply is not None else "a 200 whose body is not a One Wallet reply"
    return Exchange(method, latency_ms, status, content_type, reply, payload, error)


def expect_status(exchange: Exchange, allowed: Iterable[str], what: str) -> Reply:
    """The reply, if its status is one of `allowed`; Failed otherwise."""
    statuses = sorted(allowed)
    if exchange.reply is None or exchange.reply.status not in statuses:
        raise Failed(f"{what} to answer {' or '.join(statuses)}", exchange.describe())
    return exchange.reply


def expect_balance(actual: Decimal, wanted: Decimal, what: str) -> None:
    if actual != wanted:
        raise Failed(f"balance {wire.two_decimal_text(wanted)} {what}", _text(actual))


def _text(amount: Decimal) -> str:
    return wire.two_decimal_text(amount) if amount.is_finite() else str(amount)
