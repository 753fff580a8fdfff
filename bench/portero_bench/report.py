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

from .common import ROOT, TARGET_P99_MS, TARGET_RATIO
from .database import Postgres
from .wrk import WrkResult


@dataclass
class Run:
    started: datetime
    options: argparse.Namespace
    machine: dict[str, str]
    results: dict[str, WrkResult] = field(default_factory=dict)
    links: int = 0
    # scenario -> (profile summary for the README, the load run it was sampled during)
    profiles: dict[str, tuple[str, WrkResult]] = field(default_factory=dict)


LABELS = {
    "a": "(a) GET /healthz (baseline)",
    "b-new": "(b) POST /v1/launches, new player",
    "b-returning": "(b) POST /v1/launches, returning player",
    "b-keyed": "(b) POST /v1/launches, new player, with Idempotency-Key",
    "d-000": "(d) seed 000 POST /1.0/request/session, new user",
    "d-001": "(d) seed 001 POST /api/session, new uuid and player",
    "d-002": "(d) seed 002 POST …/cammer/generate-session, new customer",
    "c": "(c) GET /launch/{token}, first open",
    "e-slot": "(e) POST /play/api/slots/spins, 20-cent monaco-nights spin",
    "a-end": "(a) GET /healthz again, at the end",
}


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


def slot_spin_line(run: Run) -> str:
    spins, base = run.results.get("e-slot"), run.results.get("a")
    if spins is None or base is None:
        return ""
    return (
        f"\nThe slot spin API (e), which has no target of its own: "
        f"{spins.ok_per_second:,.0f} spins/s, {spins.ok_per_second / base.ok_per_second:.3f} "
        f"of the baseline, p99 {spins.ms('p99'):.1f} ms. The engine and the enumeration alone "
        "are in [SLOTS.md](SLOTS.md).\n"
    )


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
