"""The conformance tool against the sandbox: the sandbox passes every scenario, and each broken
variant fails exactly the scenarios of the rule it breaks (so each scenario is shown to catch
what it claims to); a wallet that is down or answers garbage fails without crashing the tool."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from portero.cli.main import app as portero
from portero.wallet.conformance import SCENARIOS, Target, render_table, run_conformance
from portero.wallet.onewallet import wire
from portero.wallet.sandbox import Breakage, FaultKind, FaultPlan, SandboxWallet
from tests.support.browsing import free_port
from tests.support.sandbox import RunningSandbox, sandbox_server

ALL = [scenario.name for scenario in SCENARIOS]
USER = "conformance-user"


def target(sandbox: RunningSandbox, *, latency_budget_seconds: float = 2.0) -> Target:
    return Target(
        sandbox.base_url,
        sandbox.auth_token,
        USER,
        "",
        "EUR",
        latency_budget_seconds=latency_budget_seconds,
    )


async def test_the_sandbox_passes_every_scenario_and_keeps_the_balance() -> None:
    with sandbox_server() as sandbox:
        report = await run_conformance(target(sandbox))
        assert [verdict.scenario for verdict in report.verdicts] == ALL
        assert report.failed == []
        assert report.passed
        assert sandbox.wallet.balance(USER, "EUR") == Decimal("1000.00")
        rounds = sandbox.wallet.snapshot()["rounds"].values()
        assert all(round_["net"] == 0 for round_ in rounds)
    table = render_table(report)
    assert f"{len(ALL)} of {len(ALL)} scenarios passed." in table
    assert sandbox.auth_token not in table


BROKEN = [
    (Breakage(apply_duplicate_debits=True), {"duplicate_debit"}),
    (Breakage(credit_twice_per_round=True), {"second_credit_closed_round"}),
    (Breakage(replay_credit_moves_money=True), {"credit_replay"}),
    (Breakage(cancel_does_nothing=True), {"cancel", "empty_sid_cancel"}),
    (Breakage(unknown_cancel_fails_badly=True), {"cancel_unknown_debit"}),
    (Breakage(ignore_insufficient_funds=True), {"insufficient_funds"}),
    (Breakage(refuse_empty_sid_on_settlement=True), {"empty_sid_credit", "empty_sid_cancel"}),
    (Breakage(wrong_content_type=True), {"content_type"}),
    # Every reply waits 40 ms, against a 20 ms budget: over it, whatever the machine's speed.
    (Breakage(slow_replies=True, slow_reply_seconds=0.04), {"latency"}),
]


@pytest.mark.parametrize(("breakage", "failing"), BROKEN, ids=lambda value: str(value))
async def test_each_broken_rule_fails_its_scenarios_only(
    breakage: Breakage, failing: set[str]
) -> None:
    budget = 0.02 if breakage.slow_replies else 2.0
    with sandbox_server(SandboxWallet(breakage=breakage)) as sandbox:
        report = await run_conformance(target(sandbox, latency_budget_seconds=budget))
    assert set(report.failed) == failing
    for verdict in report.verdicts:
        if not verdict.passed:
            assert verdict.expected
            assert verdict.seen


def test_every_breakage_flag_is_covered() -> None:
    flags = {field.name for field in fields(Breakage) if field.type in ("bool", bool)}
    covered = {flag for breakage, _ in BROKEN for flag in flags if getattr(breakage, flag)}
    assert covered == flags
    assert len(flags) == 9


async def test_a_wallet_that_is_down_fails_every_scenario_with_a_reason() -> None:
    down = Target(f"http://127.0.0.1:{free_port()}", "token", USER, "", "EUR", timeout_seconds=1)
    report = await run_conformance(down)
    assert report.failed == ALL
    assert all("cannot connect" in verdict.seen for verdict in report.verdicts)


async def test_a_wallet_that_answers_garbage_fails_every_scenario_with_a_reason() -> None:
    garbage = FaultPlan(1.0, (FaultKind.garbage,), methods=frozenset(wire.METHODS))
    with sandbox_server(faults=garbage) as sandbox:
        report = await run_conformance(target(sandbox))
    # Labelled JSON and quick: only the scenarios that read the replies fail.
    assert report.failed == ALL[:-2]
    for verdict in report.verdicts[:-2]:
        assert "not a One Wallet reply" in verdict.seen


def _cli(sandbox: RunningSandbox, *extra: str) -> tuple[int, str]:
    arguments = ["wallet", "conformance", sandbox.base_url, "--auth-token", sandbox.auth_token]
    arguments += ["--user-id", USER, "--currency", "EUR", *extra]
    result = CliRunner().invoke(portero, arguments)
    return result.exit_code, result.output


def test_the_command_exits_0_for_a_good_wallet_and_1_for_a_broken_one() -> None:
    with sandbox_server() as sandbox:
        code, output = _cli(sandbox)
    assert code == 0, output
    assert f"{len(ALL)} of {len(ALL)} scenarios passed." in output
    assert sandbox.auth_token not in output
    with sandbox_server(SandboxWallet(breakage=Breakage(cancel_does_nothing=True))) as sandbox:
        code, output = _cli(sandbox, "--json")
    assert code == 1, output
    report = json.loads(output)
    assert report["passed"] is False
    failed = [row["scenario"] for row in report["scenarios"] if not row["passed"]]
    assert failed == ["cancel", "empty_sid_cancel"]


def test_the_command_refuses_an_unknown_currency() -> None:
    with sandbox_server() as sandbox:
        arguments = ["wallet", "conformance", sandbox.base_url, "--auth-token", "t"]
        result = CliRunner().invoke(portero, [*arguments, "--user-id", USER, "--currency", "XYZ"])
    assert result.exit_code == 2
    assert "ISO 4217" in result.output
    assert sandbox.wallet.snapshot()["users"] == {}
