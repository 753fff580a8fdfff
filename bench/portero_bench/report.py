"""One benchmark's results and the tables, target checks and machine facts reported from them
(bench/README.md itself is assembled in `readme`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from .common import IDLE_SECONDS, ROOT, ROUND_TARGET_RATIO, TARGET_P99_MS, TARGET_RATIO
from .database import Postgres
from .wrk import WrkResult

if TYPE_CHECKING:  # imported for their types only: both modules import this one's users
    from .seamless import SeamlessRound
    from .signalling import Signalling


@dataclass
class Run:
    started: datetime
    options: argparse.Namespace
    machine: dict[str, str]
    results: dict[str, WrkResult] = field(default_factory=dict)
    links: int = 0
    # scenario -> (profile summary for the README, the load run it was sampled during)
    profiles: dict[str, tuple[str, WrkResult]] = field(default_factory=dict)
    # The server's resident memory (MB) at the start of the play paths and after each
    # scenario ("end": after everything; "h-sqlite": the SQLite server's).
    memory: dict[str, float] = field(default_factory=dict)
    # Transactions per second the idle server asked of PostgreSQL (None: not measured).
    idle_transactions_per_second: float | None = None
    seamless: SeamlessRound | None = None  # (i), beside its wrk results
    signalling: Signalling | None = None


LABELS = {
    "a": "(a) GET /healthz (baseline)",
    "b-new": "(b) POST /v1/launches, new player",
    "b-returning": "(b) POST /v1/launches, returning player",
    "b-keyed": "(b) POST /v1/launches, new player, with Idempotency-Key",
    "d-000": "(d) seed 000 POST /1.0/request/session, new user",
    "d-001": "(d) seed 001 POST /api/session, new uuid and player",
    "d-002": "(d) seed 002 POST …/cammer/generate-session, new customer",
    "c": "(c) GET /launch/{token}, first open",
    "e-slot": "(e) POST /play/api/slots/spins, 20-cent monaco-nights spin, demo wallet",
    "f-roulette": "(f) POST /play/api/roulette/spins, three 1-euro bets, demo wallet",
    "g-transfer": "(g) POST /play/api/slots/spins, as (e) on a transfer wallet",
    "i-seamless": "(i) POST /play/api/slots/spins, as (e) on a seamless wallet (20 ms a call)",
    "i-seamless-1": "(i) the same, one connection",
    "a-end": "(a) GET /healthz again, at the end",
    "a-asyncio": "(a) GET /healthz on the standard asyncio loop (a server of its own)",
    "h-sqlite": "(h) POST /play/api/slots/spins, as (e) on SQLite (a server of its own)",
}
# The play paths' targets: ratio and p99 as the launches' (the p99 bound is the baseline's own
# p99 when that is longer: no scenario can have a shorter tail than the no-op).
ROUND_SCENARIOS = ("e-slot", "f-roulette", "g-transfer")


def targets(run: Run) -> list[tuple[str, str, bool]]:
    base = run.results["a"].ok_per_second
    checks = []
    for key in ("b-new", "b-returning", "b-keyed", "d-000", "d-001", "d-002", "c"):
        ratio = run.results[key].ok_per_second / base
        name = f"{key} / a throughput >= {TARGET_RATIO}"
        checks.append((name, f"{ratio:.3f}", ratio >= TARGET_RATIO))
    for key in ("a", "b-new", "b-returning", "b-keyed", "d-000", "d-001", "d-002", "c"):
        p99 = run.results[key].ms("p99")
        name = f"{key} p99 <= {TARGET_P99_MS:g} ms"
        checks.append((name, f"{p99:.1f} ms", p99 <= TARGET_P99_MS))
    bound = max(TARGET_P99_MS, run.results["a"].ms("p99"))
    for key in ROUND_SCENARIOS:
        if key not in run.results:
            continue
        ratio = run.results[key].ok_per_second / base
        name = f"{key} / a throughput >= {ROUND_TARGET_RATIO}"
        checks.append((name, f"{ratio:.3f}", ratio >= ROUND_TARGET_RATIO))
        p99 = run.results[key].ms("p99")
        checks.append((f"{key} p99 <= {bound:.1f} ms", f"{p99:.1f} ms", p99 <= bound))
    if run.seamless is not None:
        checks += run.seamless.targets()
    if run.signalling is not None:
        checks += run.signalling.targets()
    return checks


def result_table(run: Run) -> str:
    rows = [
        "| scenario | expected | ok/s | p50 ms | p99 ms | max ms | requests | non-2xx/3xx "
        "| other than expected | socket errors | CPU % server (kernel) / pg / wrk / other "
        "| server waits for CPU | server CPU ms per ok |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in LABELS.items():
        r = run.results.get(key)
        if r is None:
            continue
        rows.append(
            f"| {label} | {r.expected} | {r.ok_per_second:.0f} | {r.ms('p50'):.1f} "
            f"| {r.ms('p99'):.1f} | {r.ms('max'):.1f} | {r.requests} | {r.not_2xx_3xx} "
            f"| {r.unexpected} | {r.socket_errors} | {r.cpu} "
            f"| {r.waiting} | {r.server_ms_per_ok:.2f} |"
        )
    return "\n".join(rows)


def target_table(run: Run) -> str:
    rows = ["| target | measured | verdict |", "|---|---:|---|"]
    rows += [f"| {n} | {v} | {'PASS' if ok else 'FAIL'} |" for n, v, ok in targets(run)]
    return "\n".join(rows)


def status_notes(run: Run) -> str:
    notes = []
    for key, r in run.results.items():
        others = {s: n for s, n in r.data["statuses"].items() if s != str(r.expected)}
        if others:
            notes.append(f"- {key}: statuses other than {r.expected}: {others}")
        if r.data.get("exhausted"):
            notes.append(f"- {key}: ran out of links for {r.data['exhausted']} requests")
    return "\n".join(notes) if notes else "- every response had the expected status."


def play_path_lines(run: Run) -> str:
    """The play paths beside the baseline, the SQLite spin, memory and the idle server."""
    base = run.results.get("a")
    if base is None:
        return ""
    lines = []
    for key in (*ROUND_SCENARIOS, "h-sqlite"):
        r = run.results.get(key)
        if r is not None:
            lines.append(
                f"- {LABELS[key]}: {r.ok_per_second:,.0f} rounds/s, "
                f"{r.ok_per_second / base.ok_per_second:.3f} of the baseline, p50 "
                f"{r.ms('p50'):.1f} ms, p99 {r.ms('p99'):.1f} ms, {r.server_ms_per_ok:.2f} ms "
                "of server CPU per round."
            )
    if run.seamless is not None:
        lines += run.seamless.lines()
    lines += _loop_lines(run)
    if run.signalling is not None:
        lines += run.signalling.lines()
    if run.memory:
        steps = ", ".join(f"{key} {mb:.0f} MB" for key, mb in run.memory.items())
        lines.append(f"- Resident memory of the server process: {steps}.")
    if run.idle_transactions_per_second is not None:
        lines.append(
            f"- Idle: with no request for {IDLE_SECONDS:g} s the server sent PostgreSQL "
            f"{run.idle_transactions_per_second:.1f} transactions/s (its background loops)."
        )
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def _loop_lines(run: Run) -> list[str]:
    """(a) on uvloop, the server under test's loop, beside (a) on asyncio's."""
    uv, std = run.results.get("a"), run.results.get("a-asyncio")
    if uv is None or std is None:
        return []
    return [
        f"- The no-op on each event loop: uvloop {uv.ok_per_second:,.0f} requests/s, p50 "
        f"{uv.ms('p50'):.1f} ms, p99 {uv.ms('p99'):.1f} ms; asyncio's "
        f"{std.ok_per_second:,.0f} requests/s, p50 {std.ms('p50'):.1f} ms, p99 "
        f"{std.ms('p99'):.1f} ms (the same code, `portero serve --loop asyncio`)."
    ]


def machine_facts(wrk: str, postgres: Postgres) -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = (
        subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
        .stdout.split(" [")[0]
        .removeprefix("wrk ")
    )
    packages = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("fastapi", "uvicorn", "pydantic", "sqlalchemy", "asyncpg", "uvloop")
    )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(ROOT), "diff", "HEAD", "--name-only", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgres": postgres.version(),
        "wrk": wrk_version.strip(),
        "packages": packages,
        "commit": (commit or "unknown")
        + (f" plus uncommitted changes to {', '.join(changed)}" if changed else ""),
    }
