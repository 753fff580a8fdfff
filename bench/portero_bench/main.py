"""The benchmark from start to end: tools, scratch database and server, every scenario in
order, then bench/results/<run>/summary.json and the README. Everything it started is
stopped, and the database dropped, on the way out, including on Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .common import BENCH, HOST, IDLE_SECONDS, PORTERO, ensure_makedirs, say, step
from .cpu import CpuMeter
from .database import Postgres
from .loops import noop_on_asyncio
from .processes import Children, ensure_wrk, free_port, portero, wait_until_up
from .profiling import profile
from .readme import render_readme
from .report import LABELS, Run, machine_facts, result_table, target_table, targets
from .rounds import play_rounds, resident_mb, spin_on_sqlite
from .seamless import seamless_rounds
from .signalling import measure_signalling
from .workload import create_links, links_needed
from .wrk import Wrk, brief


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@dataclass
class Bench:
    """One benchmark under way: its options, the running server, its partner and the wrk that
    loads it, and the results gathered so far."""

    options: argparse.Namespace
    steps: int
    out: Path
    run: Run
    env: dict[str, str]
    base_url: str
    partner: dict[str, Any]
    server: subprocess.Popen[bytes]
    wrk: Wrk
    children: Children
    postgres: Postgres
    database: str

    def scenario(
        self,
        number: int,
        key: str,
        script: str,
        path: str,
        expected: int,
        warm_args: list[str],
        run_args: list[str],
    ) -> None:
        warm, timed = self.options.warmup, self.options.duration
        step(number, self.steps, f"{LABELS[key]}: {warm:g} s warm-up, {timed:g} s timed")
        if warm > 0:
            self.wrk.run(f"{key}-warmup", script, path, warm, *warm_args, expected=expected)
        result = self.wrk.run(key, script, path, timed, *run_args, expected=expected)
        self.run.results[key] = result
        say(f"      {brief(result)}")


def run_benchmark(options: argparse.Namespace) -> int:
    steps = 17 if options.profile else 16
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    started = datetime.now(UTC)
    out = ensure_makedirs(BENCH / "results" / started.strftime("%Y%m%dT%H%M%SZ"))
    postgres = Postgres(options.pg_host, options.pg_port, options.pg_user)
    database = f"portero_bench_{os.getpid()}"
    children = Children()
    created_database = False
    try:
        step(1, steps, "checking tools and machine")
        wrk_binary = ensure_wrk()
        run = Run(started, options, machine_facts(wrk_binary, postgres))
        say(f"      {run.machine['nproc']} CPUs ({run.machine['cpu']}), results in {out}")

        step(2, steps, f"creating database {database} and a configured partner")
        postgres.create(database)
        created_database = True
        bench = _start_server(options, steps, out, run, postgres, database, wrk_binary, children)
        _measure(bench)
    finally:
        children.stop_all()
        if created_database:
            with contextlib.suppress(Exception):
                postgres.drop(database)
                say(f"      dropped database {database}")
    _write_outputs(run, out)
    return 0


def _server_env(options: argparse.Namespace, database_url: str, base_url: str) -> dict[str, str]:
    """The environment of the server and of the `portero` commands."""
    return os.environ | {
        "PORTERO_DATABASE_URL": database_url,
        "PORTERO_SECRET_KEY": secrets.token_hex(32),
        "PORTERO_PUBLIC_URL": base_url,
        "PORTERO_LOG_LEVEL": options.log_level,
        "PORTERO_EXPIRY_SWEEP_SECONDS": "0",
    }


def _configure_partner(env: dict[str, str]) -> dict[str, Any]:
    """Migrate the scratch database and create the partner every scenario launches for."""
    portero(env, "migrate")
    partner: dict[str, Any] = json.loads(portero(env, "partner", "create", "bench", "--json"))
    portero(
        env,
        "partner",
        "configure",
        str(partner["id"]),
        "--products",
        "roulette,slot,call",
        "--launch-ttl",
        "3600",
    )
    return partner


def _start_server(
    options: argparse.Namespace,
    steps: int,
    out: Path,
    run: Run,
    postgres: Postgres,
    database: str,
    wrk_binary: str,
    children: Children,
) -> Bench:
    """The partner (still step 2), then the server, and the wrk that will load it."""
    port = options.port or free_port()
    base_url = f"http://{HOST}:{port}"
    env = _server_env(options, postgres.url(database), base_url)
    partner = _configure_partner(env)

    step(3, steps, f"starting the server on {base_url} (1 worker)")
    log = out / "server.log"
    server = children.start(
        [str(PORTERO), "serve", "--host", HOST, "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_until_up(base_url, server, log)

    wrk = Wrk(
        wrk_binary,
        base_url,
        options.threads,
        options.connections,
        out,
        headers=(f"Authorization: Bearer {partner['token']}",),
        cpu=CpuMeter(server.pid),
    )
    return Bench(
        options, steps, out, run, env, base_url, partner, server, wrk, children, postgres, database
    )


def _measure(bench: Bench) -> None:
    _launch_scenarios(bench)
    _create_links(bench)
    _open_links(bench)
    play_rounds(bench, first_step=9)
    bench.run.seamless = seamless_rounds(bench, 12)
    step(13, bench.steps, "call signalling: 100 calls on one process, then through Redis")
    bench.run.signalling = measure_signalling(
        bench.base_url,
        bench.env,
        server_pid=bench.server.pid,
        log_dir=bench.out,
        children=bench.children,
    )

    timed = bench.options.duration
    step(14, bench.steps, f"{LABELS['a-end']}: {timed:g} s, then {IDLE_SECONDS:g} s idle")
    bench.run.results["a-end"] = bench.wrk.run(
        "a-end", "healthz.lua", "/healthz", timed, expected=200
    )
    say(f"      {brief(bench.run.results['a-end'])}")
    _measure_idle(bench)
    bench.run.memory["end"] = resident_mb(bench.server.pid)
    noop_on_asyncio(bench, 15)

    if bench.options.profile:
        _profile_server(bench)
    spin_on_sqlite(bench, bench.steps)


def _measure_idle(bench: Bench) -> None:
    """What the server asks of PostgreSQL when nobody calls it (the call clock, sweeps)."""
    before = bench.postgres.transactions(bench.database)
    time.sleep(IDLE_SECONDS)
    after = bench.postgres.transactions(bench.database)
    bench.run.idle_transactions_per_second = (after - before) / IDLE_SECONDS
    say(f"      idle: {bench.run.idle_transactions_per_second:.1f} transactions/s")


def _launch_scenarios(bench: Bench) -> None:
    """(a), then the launch APIs: (b) in its three variants and the three seed APIs (d)."""
    players = [str(bench.options.returning_players)]
    bench.scenario(4, "a", "healthz.lua", "/healthz", 200, [], [])
    bench.scenario(5, "b-new", "launch_new.lua", "/v1/launches", 201, ["warm"], ["run"])
    bench.scenario(6, "b-returning", "launch_returning.lua", "/v1/launches", 201, players, players)
    keyed_warm, keyed_run = ["kwarm", "keyed"], ["krun", "keyed"]
    bench.scenario(6, "b-keyed", "launch_new.lua", "/v1/launches", 201, keyed_warm, keyed_run)
    # The three seed APIs, each issuing a link for a new user.
    token, member = bench.partner["token"], str(bench.partner["id"])
    bench.scenario(
        6,
        "d-000",
        "seed000_session.lua",
        "/1.0/request/session",
        200,
        [token, member, "warm"],
        [token, member, "run"],
    )
    bench.scenario(
        6,
        "d-001",
        "seed001_session.lua",
        "/api/session",
        200,
        [member, token, "1"],
        [member, token, "2"],
    )
    bench.scenario(
        6,
        "d-002",
        "seed002_session.lua",
        "/api/v1/access/external/cammer/generate-session",
        200,
        ["0"],
        ["100000"],
    )


def _create_links(bench: Bench) -> None:
    """The links (c) opens, sized from the rates measured so far, written to link files."""
    options, run, out = bench.options, bench.run, bench.out
    warm, timed = options.warmup, options.duration
    # Separate lists for the warm-up, the timed run and the profiled run of (c).
    run.links = links_needed(run, timed)
    counts = {
        "links-warmup.txt": links_needed(run, warm) if warm > 0 else 0,
        "links.txt": run.links,
        # Sampling slows the server down: the create rate is a generous bound there.
        "links-profile.txt": links_needed(run, options.profile_seconds + 3, margin=1.0)
        if options.profile
        else 0,
    }
    step(7, bench.steps, f"creating {sum(counts.values()):,} links for (c) through the API")
    tokens = asyncio.run(
        create_links(bench.base_url, bench.partner["token"], sum(counts.values()), "l")
    )
    for name, count in counts.items():
        (out / name).write_text("\n".join(tokens[:count]) + "\n")
        tokens = tokens[count:]


def _open_links(bench: Bench) -> None:
    """(c): each link opened once, from the link files _create_links wrote."""
    options, run, out, wrk = bench.options, bench.run, bench.out, bench.wrk
    warm, timed = options.warmup, options.duration
    threads = str(options.threads)
    step(8, bench.steps, f"{LABELS['c']}: {warm:g} s warm-up, {timed:g} s timed")
    if warm > 0:
        warm_file = str(out / "links-warmup.txt")
        wrk.run("c-warmup", "open_link.lua", "/", warm, warm_file, threads, expected=303)
    links_file = str(out / "links.txt")
    result = wrk.run("c", "open_link.lua", "/", timed, links_file, threads, expected=303)
    run.results["c"] = result
    say(f"      {brief(run.results['c'])}")
    if run.results["c"].data.get("exhausted"):
        say("      WARNING: not enough links; rerun with a larger --links")


def _profile_server(bench: Bench) -> None:
    run, wrk, server_pid = bench.run, bench.wrk, bench.server.pid
    threads = str(bench.options.threads)
    seconds = bench.options.profile_seconds
    step(16, bench.steps, f"profiling (b) new player, (c) and (e) with py-spy, {seconds:g} s each")
    profile(run, wrk, server_pid, "b-new", "launch_new.lua", "/v1/launches", "prof", expected=201)
    profile_links = str(bench.out / "links-profile.txt")
    profile(run, wrk, server_pid, "c", "open_link.lua", "/", profile_links, threads, expected=303)
    spins = str(bench.out / "sessions-e-slot.txt")
    profile(
        run, wrk, server_pid, "e-slot", "slot_spin.lua", "/", spins, threads, "prof", expected=200
    )


def _write_outputs(run: Run, out: Path) -> None:
    """summary.json beside wrk's output, the README, and the tables on the terminal."""
    options = run.options
    (out / "summary.json").write_text(
        json.dumps(
            {
                "started": run.started.isoformat(),
                "machine": run.machine,
                "links": run.links,
                "results": {k: r.data | {"expected": r.expected} for k, r in run.results.items()},
                "targets": [{"target": n, "measured": v, "pass": p} for n, v, p in targets(run)],
                "seamless": dataclasses.asdict(run.seamless) if run.seamless else None,
                "signalling": dataclasses.asdict(run.signalling) if run.signalling else None,
                "memory_mb": run.memory,
                "idle_transactions_per_second": run.idle_transactions_per_second,
            },
            indent=2,
        )
    )
    options.readme.write_text(render_readme(run))
    say("")
    say(result_table(run))
    say("")
    say(target_table(run))
    for key, (summary, _load) in run.profiles.items():
        say(f"\n{LABELS[key]}:\n{summary}")
    say(f"\nwrote {options.readme} and {out}/")
