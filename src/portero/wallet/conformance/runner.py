"""Running the scenarios against a wallet, one after the other (they read the same account's
balance, so they cannot overlap), and the report: a table for people, JSON for scripts.

A scenario that fails for any reason, even one the scenarios did not foresee, becomes a failed
row with a reason: the tool itself never crashes on a wallet's behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from portero.wallet.conformance.probe import Failed, Probe, Target
from portero.wallet.conformance.scenarios import SCENARIOS, Scenario


@dataclass(frozen=True, slots=True)
class Verdict:
    """One scenario's result; `latency_ms` is its slowest reply (None if it made no call)."""

    scenario: str
    passed: bool
    expected: str
    seen: str
    latency_ms: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "passed": self.passed,
            "expected": self.expected,
            "seen": self.seen,
            "latency_ms": self.latency_ms,
        }


@dataclass(frozen=True, slots=True)
class Report:
    base_url: str
    user_id: str
    currency: str
    verdicts: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return all(verdict.passed for verdict in self.verdicts)

    @property
    def failed(self) -> list[str]:
        return [verdict.scenario for verdict in self.verdicts if not verdict.passed]

    def as_json(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "user_id": self.user_id,
            "currency": self.currency,
            "passed": self.passed,
            "scenarios": [verdict.as_json() for verdict in self.verdicts],
        }


async def run_conformance(target: Target, scenarios: Sequence[Scenario] = SCENARIOS) -> Report:
    """Run `scenarios` (all of them by default) in order against `target`."""
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(target.timeout_seconds),
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "Portero conformance"},
    ) as http:
        probe = Probe(target, http)
        verdicts = tuple([await _judge(probe, scenario) for scenario in scenarios])
    return Report(target.base_url, target.user_id, target.currency, verdicts)


async def _judge(probe: Probe, scenario: Scenario) -> Verdict:
    first = len(probe.exchanges)
    try:
        seen = await scenario.run(probe)
    except Failed as failure:
        passed, expected, seen = False, failure.expected, failure.seen
    except Exception as error:  # an oddity no scenario foresaw: a failure, never a crash
        passed, expected = False, scenario.expectation
        seen = f"the scenario could not go on ({type(error).__name__})"
    else:
        passed, expected = True, scenario.expectation
    latencies = [exchange.latency_ms for exchange in probe.exchanges[first:]]
    await probe.settle_leftovers()
    return Verdict(scenario.name, passed, expected, seen, max(latencies, default=None))


def render_table(report: Report) -> str:
    """The report for a terminal: a row per scenario, then the count."""
    width = max(len("scenario"), *(len(verdict.scenario) for verdict in report.verdicts))
    lines = [
        f"One Wallet conformance of {report.base_url} (user {report.user_id}, {report.currency})",
        f"{'scenario':<{width}}  result  latency  expected / seen",
    ]
    for verdict in report.verdicts:
        latency = "-" if verdict.latency_ms is None else f"{verdict.latency_ms:.0f} ms"
        detail = (
            f"{verdict.expected}: {verdict.seen}"
            if verdict.passed
            else f"expected {verdict.expected}; saw {verdict.seen}"
        )
        result = "pass" if verdict.passed else "FAIL"
        lines.append(f"{verdict.scenario:<{width}}  {result:<6}  {latency:>7}  {detail}")
    passed = sum(verdict.passed for verdict in report.verdicts)
    lines.append(f"{passed} of {len(report.verdicts)} scenarios passed.")
    return "\n".join(lines)
