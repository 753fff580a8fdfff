"""The sandbox wallet through real HTTP: its One Wallet rules, its auth token, its admin API,
its injected faults as Portero's wallet client meets them, and `portero wallet sandbox`."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import WalletClients
from portero.wallet.sandbox import FaultKind, FaultPlan, SandboxWallet
from portero.wallet.sandbox.faults import parse_kinds
from tests.support.browsing import free_port
from tests.support.sandbox import RunningSandbox, sandbox_server, wait_until


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with sandbox_server() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def new_id(kind: str) -> str:
    return f"{kind}-{uuid4().hex[:12]}"


@dataclass
class Player:
    """A user of the sandbox, calling it as a provider would (raw HTTP, One Wallet bodies)."""

    http: httpx.AsyncClient
    sandbox: RunningSandbox
    user_id: str = field(default_factory=lambda: new_id("user"))
    currency: str = "EUR"
    sid: str = ""

    async def post(self, method: str, body: bytes, token: str | None = None) -> httpx.Response:
        params = {} if token == "" else {"authToken": token or self.sandbox.auth_token}
        return await self.http.post(self.sandbox.url(method), params=params, content=body)

    async def call(
        self, method: str, body: dict[str, Any] | bytes, token: str | None = None
    ) -> Any:
        raw = body if isinstance(body, bytes) else wire.encode(body)
        response = await self.post(method, raw, token)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        return wire.decode(response.content)

    async def check(self, sid: str = "") -> Any:
        body = wire.check_body(sid=sid, user_id=self.user_id, channel="P", uuid=new_id("uuid"))
        reply = await self.call("check", body)
        if reply["status"] == "OK":
            self.sid = reply["sid"]
        return reply

    async def balance(self) -> Decimal:
        reply = await self.call("balance", self.balance_body())
        assert reply["status"] == "OK", reply
        return Decimal(reply["balance"])

    def balance_body(self) -> dict[str, Any]:
        return wire.balance_body(
            sid=self.sid, user_id=self.user_id, currency=self.currency, game=None, uuid="b"
        )

    def body(
        self, transaction_id: str, ref_id: str, round_id: str, amount: str, sid: str | None
    ) -> dict[str, Any]:
        return wire.transaction_body(
            sid=self.sid if sid is None else sid,
            user_id=self.user_id,
            currency=self.currency,
            game=wire.GameRef(round_id, "slots", "lucky-7"),
            transaction_id=transaction_id,
            ref_id=ref_id,
            amount=Decimal(amount),
            uuid=new_id("uuid"),
        )

    async def debit(
        self, tx: str, round_id: str, amount: str = "1.00", sid: str | None = None
    ) -> Any:
        return await self.call("debit", self.body(tx, tx, round_id, amount, sid))

    async def credit(
        self, tx: str, ref: str, round_id: str, amount: str = "1.00", sid: str | None = None
    ) -> Any:
        return await self.call("credit", self.body(tx, ref, round_id, amount, sid))

    async def cancel(
        self, tx: str, round_id: str, amount: str = "1.00", sid: str | None = None
    ) -> Any:
        return await self.call("cancel", self.body(tx, tx, round_id, amount, sid))


@pytest.fixture
async def player(http: httpx.AsyncClient, sandbox: RunningSandbox) -> Player:
    player = Player(http, sandbox)
    await player.check()
    return player


def status(reply: Any) -> tuple[str, bool]:
    return reply["status"], reply.get("retransmission", False)


# --- check, sids, replies ------------------------------------------------------------------


async def test_check_answers_a_new_sid_whatever_sid_it_carried(
    http: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    player = Player(http, sandbox)
    first = await player.check(sid="")
    second = await player.check(sid="anything-at-all")
    assert first["status"] == second["status"] == "OK"
    assert first["sid"].startswith("sbx_")
    assert second["sid"].startswith("sbx_")
    assert first["sid"] != second["sid"]
    assert set(first) == {"status", "sid", "uuid"}
    for sid in (first["sid"], second["sid"]):  # both stay valid for the user
        assert (await player.debit(new_id("d"), new_id("r"), sid=sid))["status"] == "OK"


async def test_replies_echo_the_uuid_and_write_balances_with_two_decimals(player: Player) -> None:
    body = player.body(new_id("d"), "", new_id("r"), "2.5", None)
    body["uuid"] = "the-request-uuid"
    response = await player.post("debit", wire.encode(body))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == '{"status":"OK","balance":997.50,"uuid":"the-request-uuid"}'


async def test_users_open_with_the_opening_balance_in_each_currency(
    http: httpx.AsyncClient,
) -> None:
    with sandbox_server(SandboxWallet(opening_balance=Decimal("50"))) as sandbox:
        player = Player(http, sandbox)
        await player.check()
        await player.debit(new_id("d"), new_id("r"), "20.00")
        assert await player.balance() == Decimal("30.00")
        player.currency = "JPY"
        assert await player.balance() == Decimal("50.00")
        assert sandbox.wallet.snapshot()["users"][player.user_id]["balances"] == {
            "EUR": Decimal("30.00"),
            "JPY": Decimal("50.00"),
        }


@pytest.mark.parametrize("token", ["", "wrong-token"])
async def test_a_wrong_or_missing_token_is_invalid_token_id(player: Player, token: str) -> None:
    bodies = {
        "check": wire.check_body(sid="", user_id=player.user_id, channel="P", uuid="u"),
        "balance": player.balance_body(),
        "debit": player.body(new_id("d"), "", new_id("r"), "1.00", None),
        "credit": player.body(new_id("c"), "x", new_id("r"), "1.00", None),
        "cancel": player.body(new_id("d"), "", new_id("r"), "1.00", None),
    }
    before = player.sandbox.wallet.snapshot()
    for method, body in bodies.items():
        reply = await player.call(method, body, token=token)
        assert reply["status"] == "INVALID_TOKEN_ID", method
        if method == "check":
            assert reply["sid"] is None
        else:
            assert reply["balance"] is None  # no balance shown to a caller without the token
    assert player.sandbox.wallet.snapshot() == before


async def test_only_the_five_methods_answer(player: Player) -> None:
    assert (await player.http.get(player.sandbox.url("debit"))).status_code == 405
    for path in ("sid", "refund", "debit/extra"):
        assert (await player.post(path, b"{}")).status_code == 404, path


# --- debits and sids ---------------------------------------------------------------------


async def test_a_debit_needs_a_sid_the_sandbox_issued_to_that_user(
    player: Player, http: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    other = Player(http, sandbox)
    await other.check()
    for sid in ("", "sbx_made-up", other.sid):
        reply = await player.debit(new_id("d"), new_id("r"), sid=sid)
        assert status(reply) == ("INVALID_SID", False), sid
    assert await player.balance() == Decimal("1000.00")
    assert (await player.debit(new_id("d"), new_id("r")))["balance"] == 999


async def test_credit_and_cancel_accept_an_empty_or_unknown_sid(player: Player) -> None:
    for sid in ("", "sbx_expired-long-ago"):
        credited, cancelled = new_id("d"), new_id("d")
        round_id, other_round = new_id("r"), new_id("r")
        await player.debit(credited, round_id)
        await player.debit(cancelled, other_round)
        assert status(await player.credit(new_id("c"), credited, round_id, "3.00", sid=sid)) == (
            "OK",
            False,
        )
        assert status(await player.cancel(cancelled, other_round, sid=sid)) == ("OK", False)
    assert await player.balance() == Decimal("1004.00")


async def test_a_repeated_debit_moves_money_once(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    first = await player.debit(debit_id, round_id, "5.00")
    again = await player.debit(debit_id, round_id, "5.00")
    assert status(first) == ("OK", False)
    assert status(again) == ("BET_ALREADY_EXIST", True)
    assert first["balance"] == again["balance"] == Decimal("995.00")
    assert await player.balance() == Decimal("995.00")


async def test_a_repeated_debit_is_recognised_after_the_session_ended(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id, "5.00")
    player.sandbox.wallet.invalidate_sids(player.user_id)
    assert status(await player.debit(debit_id, round_id, "5.00")) == ("BET_ALREADY_EXIST", True)
    assert status(await player.debit(new_id("d"), round_id, "5.00")) == ("INVALID_SID", False)
    assert await player.balance() == Decimal("995.00")


async def test_a_debit_of_a_credited_round_moves_nothing(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    await player.credit(new_id("c"), debit_id, round_id, "0.00")
    late = await player.debit(new_id("d"), round_id)
    assert status(late) == ("BET_ALREADY_SETTLED", False)
    assert await player.balance() == Decimal("999.00")


async def test_insufficient_funds_records_nothing_and_a_retry_is_judged_again(
    player: Player,
) -> None:
    player.sandbox.wallet.set_balance(player.user_id, "EUR", Decimal("5.00"))
    debit_id, round_id = new_id("d"), new_id("r")
    refused = await player.debit(debit_id, round_id, "6.00")
    assert status(refused) == ("INSUFFICIENT_FUNDS", False)
    assert refused["balance"] == Decimal("5.00")
    player.sandbox.wallet.set_balance(player.user_id, "EUR", Decimal("10.00"))
    assert status(await player.debit(debit_id, round_id, "6.00")) == ("OK", False)
    assert await player.balance() == Decimal("4.00")
    states = [
        t["state"] for t in player.sandbox.wallet.snapshot()["transactions"] if t["id"] == debit_id
    ]
    assert states == ["refused", "applied"]


# --- credits -----------------------------------------------------------------------------


async def test_a_repeated_credit_moves_money_once(player: Player) -> None:
    debit_id, credit_id, round_id = new_id("d"), new_id("c"), new_id("r")
    await player.debit(debit_id, round_id)
    assert status(await player.credit(credit_id, debit_id, round_id, "4.00")) == ("OK", False)
    again = await player.credit(credit_id, debit_id, round_id, "4.00")
    assert status(again) == ("BET_ALREADY_EXIST", True)
    assert again["balance"] == await player.balance() == Decimal("1003.00")


async def test_one_credit_per_round_whatever_its_transaction_id(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    await player.credit(new_id("c"), debit_id, round_id, "2.00")
    second = await player.credit(new_id("c"), debit_id, round_id, "2.00")
    assert status(second) == ("BET_ALREADY_SETTLED", False)
    assert await player.balance() == Decimal("1001.00")
    assert player.sandbox.wallet.snapshot()["rounds"][round_id]["net"] == Decimal("1.00")


async def test_a_credit_must_name_a_debit_of_its_round(player: Player) -> None:
    debit_id, round_id, other_round = new_id("d"), new_id("r"), new_id("r")
    await player.debit(debit_id, round_id)
    for ref, credited_round in (("never-sent", round_id), (debit_id, other_round), ("", round_id)):
        reply = await player.credit(new_id("c"), ref, credited_round, "2.00")
        assert status(reply) == ("BET_DOES_NOT_EXIST", False), (ref, credited_round)
    assert await player.balance() == Decimal("999.00")
    # The round is still open: its real credit goes through.
    assert (await player.credit(new_id("c"), debit_id, round_id, "2.00"))["status"] == "OK"


async def test_a_credit_of_a_cancelled_debit_moves_nothing(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    await player.cancel(debit_id, round_id)
    reply = await player.credit(new_id("c"), debit_id, round_id, "2.00")
    assert status(reply) == ("BET_ALREADY_SETTLED", False)
    assert await player.balance() == Decimal("1000.00")


# --- cancels -----------------------------------------------------------------------------


async def test_a_cancel_by_the_debits_id_refunds_it(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id, "7.00")
    reply = await player.cancel(debit_id, round_id, "7.00")
    assert status(reply) == ("OK", False)
    assert reply["balance"] == Decimal("1000.00")
    snapshot = player.sandbox.wallet.snapshot()
    debit = next(
        t for t in snapshot["transactions"] if t["id"] == debit_id and t["kind"] == "debit"
    )
    assert debit["state"] == "cancelled"
    assert snapshot["rounds"][round_id]["refunded"] == Decimal("7.00")
    assert snapshot["rounds"][round_id]["net"] == Decimal("0.00")


async def test_a_repeated_cancel_is_settled_and_moves_nothing(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    await player.cancel(debit_id, round_id)
    assert status(await player.cancel(debit_id, round_id)) == ("BET_ALREADY_SETTLED", True)
    assert await player.balance() == Decimal("1000.00")


async def test_a_cancel_whose_amount_differs_from_the_debits_is_refused(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id, "3.00")
    assert status(await player.cancel(debit_id, round_id, "2.00")) == ("INVALID_PARAMETER", False)
    assert await player.balance() == Decimal("997.00")
    assert status(await player.cancel(debit_id, round_id, "3.00")) == ("OK", False)


async def test_a_debit_of_a_credited_round_cannot_be_cancelled(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    await player.credit(new_id("c"), debit_id, round_id, "1.50")
    assert status(await player.cancel(debit_id, round_id)) == ("BET_ALREADY_SETTLED", False)
    assert await player.balance() == Decimal("1000.50")


async def test_a_cancel_before_its_debit_leaves_a_tombstone(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    assert status(await player.cancel(debit_id, round_id)) == ("BET_DOES_NOT_EXIST", False)
    assert debit_id in player.sandbox.wallet.snapshot()["tombstones"]
    late = await player.debit(debit_id, round_id)
    assert status(late) == ("BET_ALREADY_SETTLED", False)
    assert await player.balance() == Decimal("1000.00")


# --- malformed requests, locked accounts ---------------------------------------------------


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


MALFORMED: dict[str, Any] = {
    "no user": lambda b: _without(b, "userId"),
    "user not a string": lambda b: {**b, "userId": Decimal(7)},
    "no game": lambda b: _without(b, "game"),
    "amount as a string": lambda b: {**b, "transaction": {**b["transaction"], "amount": "1.00"}},
    "negative amount": lambda b: {**b, "transaction": {**b["transaction"], "amount": Decimal(-1)}},
    # Bytes: wire.encode writes every Decimal with two decimals, so the body is edited after.
    "three decimals": lambda b: wire.encode(b).replace(b'"amount":1.00', b'"amount":1.005'),
    "empty transaction id": lambda b: {**b, "transaction": {**b["transaction"], "id": ""}},
    "unknown currency": lambda b: {**b, "currency": "XYZ"},
    "lower-case currency": lambda b: {**b, "currency": "eur"},
}


@pytest.mark.parametrize("method", ["debit", "credit", "cancel"])
@pytest.mark.parametrize("fault", list(MALFORMED))
async def test_malformed_requests_are_invalid_parameter(
    player: Player, method: str, fault: str
) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    body = MALFORMED[fault](
        player.body(
            new_id("t") if method == "credit" else debit_id, debit_id, round_id, "1.00", None
        )
    )
    assert (await player.call(method, body))["status"] == "INVALID_PARAMETER"
    assert await player.balance() == Decimal("999.00")


async def test_a_body_that_is_not_json_is_invalid_parameter(player: Player) -> None:
    for body in (b"not json", b"[1, 2]", b""):
        response = await player.post("balance", body)
        assert response.status_code == 200
        assert wire.decode(response.content) == {
            "status": "INVALID_PARAMETER",
            "balance": None,
            "uuid": None,
        }


async def test_a_locked_account_cannot_play_but_is_still_settled(player: Player) -> None:
    debit_id, round_id = new_id("d"), new_id("r")
    await player.debit(debit_id, round_id)
    admin = player.sandbox.url(f"_sandbox/users/{player.user_id}/lock")
    locked = await player.http.post(admin, params={"authToken": player.sandbox.auth_token})
    assert locked.status_code == 200
    assert locked.json()["locked"] is True
    assert (await player.check())["status"] == "ACCOUNT_LOCKED"
    assert (await player.call("balance", player.balance_body()))["status"] == "ACCOUNT_LOCKED"
    assert (await player.debit(new_id("d"), new_id("r")))["status"] == "ACCOUNT_LOCKED"
    assert (await player.credit(new_id("c"), debit_id, round_id, "5.00"))["status"] == "OK"
    await player.http.post(
        player.sandbox.url(f"_sandbox/users/{player.user_id}/unlock"),
        params={"authToken": player.sandbox.auth_token},
    )
    assert await player.balance() == Decimal("1004.00")
    assert (await player.debit(new_id("d"), new_id("r")))["status"] == "OK"


# --- the admin API -----------------------------------------------------------------------


async def test_the_admin_api_needs_the_token(player: Player) -> None:
    for token in ({}, {"authToken": "wrong"}):
        response = await player.http.get(player.sandbox.url("_sandbox/state"), params=token)
        assert response.status_code == 403
        assert "users" not in response.text


async def test_the_admin_state_is_the_snapshot(player: Player) -> None:
    played, cancelled = new_id("r"), new_id("r")
    first, second = new_id("d"), new_id("d")
    await player.debit(first, played, "2.00")
    await player.credit(new_id("c"), first, played, "0.50")
    await player.debit(second, cancelled, "1.00")
    await player.cancel(second, cancelled, "1.00")
    response = await player.http.get(
        player.sandbox.url("_sandbox/state"), params={"authToken": player.sandbox.auth_token}
    )
    assert response.status_code == 200
    state = wire.decode(response.content)
    assert state == player.sandbox.wallet.snapshot()
    assert state is not None
    assert state["rounds"][played] == {
        "user_id": player.user_id,
        "currency": "EUR",
        "debited": Decimal("2.00"),
        "credited": Decimal("0.50"),
        "refunded": Decimal("0.00"),
        "net": Decimal("-1.50"),
        "closed": True,
    }
    assert state["rounds"][cancelled]["net"] == Decimal("0.00")
    mine = [t for t in state["transactions"] if t["user_id"] == player.user_id]
    assert [(t["kind"], t["state"]) for t in mine] == [
        ("debit", "applied"),
        ("credit", "applied"),
        ("debit", "cancelled"),
        ("cancel", "applied"),
    ]
    assert state["users"][player.user_id]["balances"] == {"EUR": Decimal("998.50")}


async def test_the_admin_api_sets_balances_and_forgets_sids(player: Player) -> None:
    token = {"authToken": player.sandbox.auth_token}
    user_url = player.sandbox.url(f"_sandbox/users/{player.user_id}")
    set_to = await player.http.post(
        user_url + "/balance", params=token, content=b'{"currency":"EUR","balance":12.34}'
    )
    assert set_to.status_code == 200
    assert await player.balance() == Decimal("12.34")
    for bad in (b'{"currency":"EUR","balance":1.234}', b'{"currency":"XYZ","balance":1}', b"{}"):
        response = await player.http.post(user_url + "/balance", params=token, content=bad)
        assert response.status_code == 400, bad
    assert await player.balance() == Decimal("12.34")
    forgot = await player.http.post(user_url + "/invalidate-sids", params=token)
    assert forgot.status_code == 200
    assert forgot.json()["sids"] == []
    assert (await player.debit(new_id("d"), new_id("r")))["status"] == "INVALID_SID"


async def test_latency_is_added_to_every_call(http: httpx.AsyncClient) -> None:
    with sandbox_server(latency_ms=150) as sandbox:
        player = Player(http, sandbox)
        started = time.perf_counter()
        await player.check()
        assert time.perf_counter() - started >= 0.15


# --- faults, as Portero's wallet client meets them -----------------------------------------

CLIENT_TIMEOUT = 0.3
HANG = 0.8
HANGS = (FaultKind.timeout_before, FaultKind.timeout_after)


@pytest.mark.parametrize(
    ("kind", "outcome", "applied"),
    [
        (FaultKind.timeout_before, "timeout", False),
        (FaultKind.timeout_after, "timeout", True),
        (FaultKind.http_500_before, "http_500", False),
        (FaultKind.http_500_after, "http_500", True),
        (FaultKind.dropped_connection, "connection", True),
        (FaultKind.garbage, "unparsable", True),
        (FaultKind.reply_twice, "BET_ALREADY_EXIST", True),
    ],
)
async def test_each_fault_as_the_client_sees_it(
    kind: FaultKind, outcome: str, applied: bool
) -> None:
    plan = FaultPlan(1.0, (kind,), hang_seconds=HANG, seed=1)
    wallet = SandboxWallet()
    sid = wallet.issue_sid("fault-user")
    body = wire.transaction_body(
        sid=sid,
        user_id="fault-user",
        currency="EUR",
        game=wire.GameRef("round-1", "slots", "lucky-7"),
        transaction_id="debit-1",
        ref_id="debit-1",
        amount=Decimal("2.00"),
        uuid="u",
    )
    clients = WalletClients(max_connections=2)
    try:
        with sandbox_server(wallet, faults=plan) as sandbox:
            # Short only where the fault is a hang: elsewhere a busy machine must not turn the
            # fault under test into a timeout.
            timeout = CLIENT_TIMEOUT if kind in HANGS else 5.0
            result = await clients.call(sandbox.endpoint(timeout_seconds=timeout), "debit", body)
            assert result.outcome == outcome
            expected = Decimal("998.00") if applied else Decimal("1000.00")
            if kind is FaultKind.timeout_after:  # applied before the hang: soon, not at once
                assert wait_until(lambda: wallet.balance("fault-user", "EUR") == expected, 5)
            assert wallet.balance("fault-user", "EUR") == expected
            debits = [t for t in wallet.snapshot()["transactions"] if t["kind"] == "debit"]
            assert len(debits) == (1 if applied else 0)
    finally:
        await clients.aclose()
    if kind is FaultKind.reply_twice:
        assert result.reply is not None
        assert result.reply.retransmission
        assert result.reply.balance == Decimal("998.00")


async def test_faults_hit_only_the_chosen_methods_and_never_the_admin_api(
    http: httpx.AsyncClient,
) -> None:
    plan = FaultPlan(1.0, (FaultKind.http_500_before,))
    with sandbox_server(faults=plan) as sandbox:
        player = Player(http, sandbox)
        assert (await player.check())["status"] == "OK"  # check is not a money method
        debit = await player.post("debit", wire.encode(player.body("d", "d", "r", "1.00", None)))
        assert debit.status_code == 500
        state = await http.get(
            sandbox.url("_sandbox/state"), params={"authToken": sandbox.auth_token}
        )
        assert state.status_code == 200
    everything = FaultPlan(1.0, (FaultKind.http_500_before,), methods=frozenset(wire.METHODS))
    with sandbox_server(faults=everything) as sandbox:
        response = await Player(http, sandbox).post("check", b"{}")
        assert response.status_code == 500


def test_a_seeded_fault_plan_draws_the_same_faults() -> None:
    first, second = FaultPlan(0.5, seed=7), FaultPlan(0.5, seed=7)
    sequence = [first.draw("debit") for _ in range(200)]
    assert sequence == [second.draw("debit") for _ in range(200)]
    assert 40 < sequence.count(None) < 160  # about half the calls
    assert len({kind for kind in sequence if kind}) == len(FaultKind)  # every kind drawn
    assert FaultPlan(0.0).draw("debit") is None
    assert FaultPlan(1.0).draw("check") is None  # money methods only, by default


def test_fault_kinds_are_named_one_by_one_or_by_group() -> None:
    assert parse_kinds("timeout, drop") == (
        FaultKind.timeout_before,
        FaultKind.timeout_after,
        FaultKind.dropped_connection,
    )
    assert parse_kinds("500,twice") == (
        FaultKind.http_500_before,
        FaultKind.http_500_after,
        FaultKind.reply_twice,
    )
    with pytest.raises(ValueError, match="unknown fault kind 'slow'"):
        parse_kinds("slow")
    with pytest.raises(ValueError, match="probability"):
        FaultPlan(1.5)


# --- portero wallet sandbox ----------------------------------------------------------------


PORTERO = Path(sys.executable).parent / "portero"


def _read_until(process: subprocess.Popen[str], marker: str, seconds: float) -> str:
    """The process's output up to the line holding `marker` (bounded: it may never come)."""
    assert process.stdout is not None
    seen: list[str] = []
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and selector.select(deadline - time.monotonic()):
            line = process.stdout.readline()
            seen.append(line)
            if marker in line or not line:
                break
    return "".join(seen)


@pytest.mark.parametrize("token_from_env", [True, False])
def test_the_sandbox_command_serves_and_prints_how_to_use_it(token_from_env: bool) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PORTERO_SANDBOX_AUTH_TOKEN"}
    if token_from_env:
        env["PORTERO_SANDBOX_AUTH_TOKEN"] = "token-from-the-makefile"
    command = [str(PORTERO), "wallet", "sandbox", "--port", str(port), "--opening-balance", "20"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        output = _read_until(process, "Uvicorn running", 20)
        base_url = f"http://127.0.0.1:{port}"
        assert f"Sandbox One Wallet on {base_url}" in output, output
        example = f"portero partner wallet ID --mode seamless --url {base_url} --auth-token "
        assert example in output
        if token_from_env:
            token = "token-from-the-makefile"
            assert token not in output
            assert example + "$PORTERO_SANDBOX_AUTH_TOKEN" in output
        else:
            token = output.split("Auth token (generated): ", 1)[1].split()[0]
            assert len(token) >= 32
            assert example + token in output
        body = wire.encode(
            wire.balance_body(sid="", user_id="u", currency="EUR", game=None, uuid="x")
        )
        reply = httpx.post(f"{base_url}/balance", params={"authToken": token}, content=body)
        assert wire.decode(reply.content) == {
            "status": "OK",
            "balance": Decimal("20.00"),
            "uuid": "x",
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
