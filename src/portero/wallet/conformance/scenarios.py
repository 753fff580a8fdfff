"""What a One Wallet endpoint must do before Portero's players' money goes through it, one
scenario per rule (../shared/WALLETS.md). Each uses its own transaction and round ids, moves
one unit of the currency at most, and gives it back where the rules allow (debits end credited
or cancelled; the runner cancels what a failed scenario left open).

Movements are judged on `balance` calls made before and after, not on the balances the money
replies carry: a wallet that moves money twice may well report the right number once.

A scenario returns what it saw when it passes and raises `Failed` when it does not; the last
two judge every reply of the run so far (content type, latency), plus one call of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from portero.wallet.conformance.probe import (
    ACCEPTED,
    BET_ALREADY_EXIST,
    OK,
    Failed,
    Probe,
    expect_balance,
    expect_status,
    fresh_id,
)
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.wire import BET_DOES_NOT_EXIST, INSUFFICIENT_FUNDS

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    expectation: str  # for the table, when the scenario passes
    run: Callable[[Probe], Awaitable[str]]


def _money(probe: Probe) -> str:
    return f"{wire.two_decimal_text(probe.stake)} {probe.target.currency}"


async def check(probe: Probe) -> str:
    exchange = await probe.check()
    expect_status(exchange, {OK}, "check")
    sid = (exchange.payload or {}).get("sid")
    if not isinstance(sid, str) or not sid:
        raise Failed("check to answer a sid", "no sid in the reply")
    probe.sid = sid
    return "OK and a sid (used from now on)"


async def balance(probe: Probe) -> str:
    return f"OK, {wire.two_decimal_text(await probe.balance())} {probe.target.currency}"


async def debit_then_credit(probe: Probe) -> str:
    before, round_id, debit_id = await probe.balance(), fresh_id("round"), fresh_id("debit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    expect_balance(await probe.balance(), before - probe.stake, "after the debit")
    credit = await probe.credit(fresh_id("credit"), debit_id, round_id, probe.stake)
    expect_status(credit, {OK}, "the credit")
    expect_balance(await probe.balance(), before, "after the credit")
    return f"down {_money(probe)}, then up {_money(probe)}"


async def duplicate_debit(probe: Probe) -> str:
    before, round_id, debit_id = await probe.balance(), fresh_id("round"), fresh_id("debit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    again = await probe.debit(debit_id, round_id, probe.stake)
    replayed = again.reply is not None and (
        again.reply.status == BET_ALREADY_EXIST
        or (again.reply.status == OK and again.reply.retransmission)
    )
    if not replayed:
        raise Failed(
            "the repeat to answer BET_ALREADY_EXIST, or OK as a retransmission", again.describe()
        )
    expect_balance(await probe.balance(), before - probe.stake, "after the debit and its repeat")
    await probe.credit(fresh_id("credit"), debit_id, round_id, probe.stake)
    return f"{again.describe()}, balance moved once"


async def credit_replay(probe: Probe) -> str:
    round_id, debit_id, credit_id = fresh_id("round"), fresh_id("debit"), fresh_id("credit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    credit = await probe.credit(credit_id, debit_id, round_id, probe.stake)
    expect_status(credit, {OK}, "the credit")
    settled = await probe.balance()
    again = await probe.credit(credit_id, debit_id, round_id, probe.stake)
    expect_status(again, ACCEPTED, "the repeated credit")
    expect_balance(await probe.balance(), settled, "after the repeated credit")
    return f"{again.describe()}, balance moved once"


async def second_credit_on_closed_round(probe: Probe) -> str:
    round_id, debit_id = fresh_id("round"), fresh_id("debit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    credit = await probe.credit(fresh_id("credit"), debit_id, round_id, probe.stake)
    expect_status(credit, {OK}, "the credit")
    settled = await probe.balance()
    second = await probe.credit(fresh_id("credit"), debit_id, round_id, probe.stake)
    expect_balance(await probe.balance(), settled, "after a second credit of the round")
    return f"{second.describe()}, balance unchanged"


async def cancel(probe: Probe) -> str:
    before, round_id, debit_id = await probe.balance(), fresh_id("round"), fresh_id("debit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    expect_balance(await probe.balance(), before - probe.stake, "after the debit")
    expect_status(await probe.cancel(debit_id, round_id, probe.stake), {OK}, "the cancel")
    expect_balance(await probe.balance(), before, "after the cancel")
    return "OK, balance restored"


async def cancel_unknown_debit(probe: Probe) -> str:
    before, round_id, debit_id = await probe.balance(), fresh_id("round"), fresh_id("debit")
    refusal = await probe.cancel(debit_id, round_id, probe.stake)
    expect_status(refusal, {BET_DOES_NOT_EXIST, OK}, "the cancel of a debit never sent")
    expect_balance(await probe.balance(), before, "after the cancel of a debit never sent")
    late = await probe.debit(debit_id, round_id, probe.stake)
    expect_balance(await probe.balance(), before, "after that debit arrived late")
    return f"{refusal.describe()}; the late debit: {late.describe()}, not applied"


async def insufficient_funds(probe: Probe) -> str:
    before, round_id = await probe.balance(), fresh_id("round")
    too_much = (max(before, ZERO) + probe.stake).quantize(wire.HUNDREDTH, rounding=ROUND_CEILING)
    refusal = await probe.debit(fresh_id("debit"), round_id, too_much)
    expect_status(refusal, {INSUFFICIENT_FUNDS}, "a debit above the balance")
    expect_balance(await probe.balance(), before, "after the refused debit")
    return "INSUFFICIENT_FUNDS, balance unchanged"


async def empty_sid_on_credit(probe: Probe) -> str:
    before, round_id, debit_id = await probe.balance(), fresh_id("round"), fresh_id("debit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    credit = await probe.credit(fresh_id("credit"), debit_id, round_id, probe.stake, sid="")
    expect_status(credit, ACCEPTED, "a credit with an empty sid")
    expect_balance(await probe.balance(), before, "after the credit")
    return f"{credit.describe()}, balance restored"


async def empty_sid_on_cancel(probe: Probe) -> str:
    before, round_id, debit_id = await probe.balance(), fresh_id("round"), fresh_id("debit")
    expect_status(await probe.debit(debit_id, round_id, probe.stake), {OK}, "the debit")
    cancelled = await probe.cancel(debit_id, round_id, probe.stake, sid="")
    expect_status(cancelled, ACCEPTED, "a cancel with an empty sid")
    expect_balance(await probe.balance(), before, "after the cancel")
    return f"{cancelled.describe()}, balance restored"


async def _answered_call(probe: Probe) -> None:
    """A call of the scenario's own, which must get an HTTP response: with none in the whole
    run there would be nothing to judge, and a silent wallet must not pass by default."""
    exchange = await probe.balance_call()
    if exchange.http_status is None:
        raise Failed("a reply to judge", exchange.describe())


async def content_type(probe: Probe) -> str:
    await _answered_call(probe)
    answered = [exchange for exchange in probe.exchanges if exchange.http_status == 200]
    for exchange in answered:
        media_type = (exchange.content_type or "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            seen = f"{exchange.content_type or 'none'} on a {exchange.method} reply"
            raise Failed("application/json on every reply", seen)
    return f"application/json on all {len(answered)} replies"


async def latency(probe: Probe) -> str:
    await _answered_call(probe)
    budget_ms = probe.target.latency_budget_seconds * 1000
    slowest = max(probe.exchanges, key=lambda exchange: exchange.latency_ms)
    if slowest.timed_out or slowest.latency_ms > budget_ms:
        took = "no answer in time" if slowest.timed_out else f"{slowest.latency_ms:.0f} ms"
        raise Failed(f"every reply within {budget_ms:.0f} ms", f"{took} on a {slowest.method}")
    return f"slowest of {len(probe.exchanges)} replies: {slowest.latency_ms:.0f} ms"


SCENARIOS = (
    Scenario("check", "check answers OK and a sid", check),
    Scenario("balance", "balance answers OK and a balance", balance),
    Scenario("debit_credit", "the balance moves by the debit, then the credit", debit_then_credit),
    Scenario("duplicate_debit", "a debit sent twice moves money once", duplicate_debit),
    Scenario("credit_replay", "a credit sent twice moves money once", credit_replay),
    Scenario(
        "second_credit_closed_round",
        "a second credit of a credited round moves nothing",
        second_credit_on_closed_round,
    ),
    Scenario("cancel", "a cancel by the debit's id gives the money back", cancel),
    Scenario(
        "cancel_unknown_debit",
        "a cancel of an unknown debit moves nothing, nor does that debit later",
        cancel_unknown_debit,
    ),
    Scenario("insufficient_funds", "a debit above the balance is refused", insufficient_funds),
    Scenario("empty_sid_credit", "a credit with an empty sid is accepted", empty_sid_on_credit),
    Scenario("empty_sid_cancel", "a cancel with an empty sid is accepted", empty_sid_on_cancel),
    Scenario("content_type", "every reply is application/json", content_type),
    Scenario("latency", "every reply within the latency budget", latency),
)
