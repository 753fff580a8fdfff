"""(i) The slot spin of (e) on a seamless wallet: every round is a One Wallet debit, then a
credit, sent by Portero to the partner's own wallet (docs/wallets.md). The wallet is the
sandbox Portero ships (`portero wallet sandbox`), a process of its own on loopback answering
every call `WALLET_LATENCY_MS` late, as a partner's wallet across a network would.

What it reports beside wrk's figures: the time Portero adds on top of the wallet's two calls.
wrk measures each round whole; the wallet's part is measured directly, by a probe that calls the
sandbox itself during the timed run (see wallet_probe.py): its p50 is what one call costs at
the wallet under that load (the fixed latency, the sandbox's own work and queueing, loopback).
Portero's added time is then

    added p50 = round p50 - 2 x probe p50        added p99 = round p99 - 2 x probe p50

The p99 subtracts the wallet's median, not its tail: any jitter of the wallet above its median
counts as Portero's, so the figure errs against Portero. It is taken at the benchmark's
connections (what the targets judge), then at one connection, where nothing waits for the
server and the difference is a round's own cost: with wrk keeping N rounds in flight, a round
takes about N / (rounds/s), so once the server's CPU is the limit the added time at N
connections is mostly rounds queued behind each other. For comparison it also gives the
probe's calls before the run (the fixed latency plus loopback, nothing else running) and the
calls as Portero itself recorded them (`delivery_attempt.duration_ms`, whole milliseconds,
timed inside the server: when these are well above the probe's, the server's event loop was
slow to come back to a call that had been answered).

The outbound client (portero.wallet.onewallet.client.WalletClients) keeps one aiohttp
ClientSession per (partner, wallet URL, timeout), made on first use and never closed before
shutdown. Each has its own pool: at most `PORTERO_WALLET_MAX_CONNECTIONS` (32) connections,
all of which may stay alive (idle ones close after 30 s), and a call waits in the pool for a
free one within the partner's timeout. So connections are kept alive and bounded per partner
endpoint, not per process: N seamless partners may hold N x 32 connections at once, and a
partner whose URL or timeout changes gets a new client and pool while the old one stays (its
idle connections open until they expire). The run samples Portero's sockets to the
sandbox (`WalletConnections`): with keep-alive working, the distinct connections seen over the
run stay close to the most open at once, and never above the bound.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx

from portero.settings import Settings

from .common import HOST, PORTERO, say, step
from .cpu import CpuMeter
from .processes import free_port, portero, stop_process
from .stats import percentile
from .wallet_probe import ProbeFigures, WalletConnections, WalletProbe, idle_probe
from .workload import create_play_sessions
from .wrk import Wrk, WrkResult, brief

if TYPE_CHECKING:
    from .main import Bench

KEY = "i-seamless"
WALLET_LATENCY_MS = 20.0
LABEL = (
    f"(i) POST /play/api/slots/spins, as (e) on a seamless wallet ({WALLET_LATENCY_MS:g} ms a call)"
)
TARGET_ADDED_P50_MS = 5.0
TARGET_ADDED_P99_MS = 20.0
# Each new player's balance at the sandbox: far more than any run's 20-cent bets.
OPENING_BALANCE = "1000000.00"


@dataclass(frozen=True)
class RecordedCalls:
    """The wallet calls of the timed run as Portero recorded them (delivery_attempt)."""

    calls: int
    p50_ms: float
    p99_ms: float
    outcomes: dict[str, int]


@dataclass(frozen=True)
class LoadPoint:
    """One timed wrk run of (i) and the wallet's side of it."""

    key: str  # in run.results
    connections: int
    rounds_per_second: float
    p50_ms: float
    p99_ms: float
    server_ms_per_round: float
    postgres_ms_per_round: float  # CPU of every PostgreSQL process on the machine
    transactions_per_round: float  # committed or rolled back in the database (pg_stat_database)
    wallet_cpu_percent: float  # the sandbox process, % of a core
    probe: ProbeFigures  # the wallet's calls, measured by the probe during the run
    recorded: RecordedCalls  # and as Portero timed its own
    wallet_connections: WalletConnections
    added_p50_ms: float  # the round's p50 minus twice the probe's p50
    added_p99_ms: float  # its p99 minus the same

    def lines(self) -> list[str]:
        probe, rec, links = self.probe, self.recorded, self.wallet_connections
        return [
            f"- {self.connections} connection{'s' if self.connections > 1 else ''}: "
            f"{self.rounds_per_second:,.0f} rounds/s, p50 "
            f"{self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms; per round "
            f"{self.server_ms_per_round:.2f} ms of server CPU, "
            f"{self.postgres_ms_per_round:.2f} ms of PostgreSQL's, about "
            f"{self.transactions_per_round:.1f} database transactions (the sandbox: "
            f"{self.wallet_cpu_percent:.0f}% of a core). "
            f"Portero adds p50 {self.added_p50_ms:.1f} ms, p99 {self.added_p99_ms:.1f} ms on "
            f"top of the wallet's two calls (one call: p50 {probe.p50_ms:.1f} ms, p99 "
            f"{probe.p99_ms:.1f} ms over {probe.calls} probe calls).",
            f"  Portero timed its own {rec.calls:,} calls at p50 {rec.p50_ms:.0f} ms, p99 "
            f"{rec.p99_ms:.0f} ms ({_outcomes(rec.outcomes)}); connections to the wallet: at "
            f"most {links.most_open} open at once, {links.distinct} distinct over the run.",
        ]


@dataclass(frozen=True)
class SeamlessRound:
    """(i)'s figures beyond its WrkResults (run.results["i-seamless"] at the benchmark's
    connections, run.results["i-seamless-1"] at one)."""

    wallet_latency_ms: float
    connection_bound: int  # wallet_max_connections, per partner endpoint
    idle_probe: ProbeFigures  # the wallet's calls before any load: latency plus loopback
    loaded: LoadPoint  # at the benchmark's connections: what the targets judge
    single: LoadPoint | None  # one connection, nothing queued: a round's own cost

    def targets(self) -> list[tuple[str, str, bool]]:
        """In the shape of report.targets: (name, measured, passed)."""
        p50, p99 = self.loaded.added_p50_ms, self.loaded.added_p99_ms
        at = f"at {self.loaded.connections} connections"
        return [
            (
                f"{KEY} Portero's added p50 {at} <= {TARGET_ADDED_P50_MS:g} ms",
                f"{p50:.1f} ms",
                p50 <= TARGET_ADDED_P50_MS,
            ),
            (
                f"{KEY} Portero's added p99 {at} <= {TARGET_ADDED_P99_MS:g} ms",
                f"{p99:.1f} ms",
                p99 <= TARGET_ADDED_P99_MS,
            ),
        ]

    def lines(self) -> list[str]:
        """Markdown bullets for the README."""
        idle = self.idle_probe
        head = (
            f"- {LABEL}. One wallet call before any load: p50 {idle.p50_ms:.1f} ms, p99 "
            f"{idle.p99_ms:.1f} ms ({self.wallet_latency_ms:g} ms of the sandbox's latency "
            f"plus loopback). Portero keeps at most {self.connection_bound} connections per "
            "partner wallet, alive between calls."
        )
        points = [self.loaded, *([self.single] if self.single else [])]
        return [head, *(line for point in points for line in point.lines())]


def _per_ok(result: WrkResult, percent: float) -> float:
    """CPU ms per successful response of `percent` of a core over the run."""
    return 10 * percent / result.ok_per_second if result.ok else 0.0


def _outcomes(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {outcome}" for outcome, n in sorted(outcomes.items())) or "none"


def seamless_rounds(bench: Bench, number: int, *, single_seconds: float = 5.0) -> SeamlessRound:
    """(i) on the server under test, over 2 x connections players of a seamless partner
    whose wallet is a sandbox started (and stopped) here: a warm-up and a timed run at the
    benchmark's connections, then `single_seconds` at one connection (0: not). The
    WrkResults go into bench.run.results."""
    options = bench.options
    step(number, bench.steps, f"{LABEL}: {options.warmup:g} s warm-up, {options.duration:g} s")
    port, token = free_port(), secrets.token_urlsafe(24)
    wallet = _Wallet(f"http://{HOST}:{port}", port, token)
    sandbox = _start_sandbox(bench, port, token)
    try:
        partner = _seamless_partner(bench.env, wallet.url, token)
        count = 2 * options.connections
        sessions = asyncio.run(
            create_play_sessions(bench.base_url, partner["token"], count, prefix="seamless")
        )
        asyncio.run(_open_tables(bench.base_url, sessions))
        file = bench.out / f"sessions-{KEY}.txt"
        file.write_text("\n".join(sessions) + "\n")
        idle = idle_probe(wallet.url, token)
        threads = str(options.threads)
        if options.warmup > 0:
            bench.wrk.run(f"{KEY}-warmup", "slot_spin.lua", "/", options.warmup, str(file),
                          threads, "warm", expected=200)  # fmt: skip
        run = _Point(bench, sandbox, wallet, int(partner["id"]), str(file))
        loaded = run.measure(bench.wrk, KEY, options.duration)
        single = None
        if single_seconds > 0:
            one = dataclasses.replace(bench.wrk, threads=1, connections=1)
            single = run.measure(one, f"{KEY}-1", single_seconds)
    finally:
        stop_process(sandbox)
    return SeamlessRound(WALLET_LATENCY_MS, _connection_bound(bench.env), idle, loaded, single)


@dataclass(frozen=True)
class _Wallet:
    url: str
    port: int
    token: str


@dataclass(frozen=True)
class _Point:
    """How (i) takes one load point: wrk, the probe beside it, the sandbox's CPU, and the
    calls Portero recorded in that time."""

    bench: Bench
    sandbox: subprocess.Popen[bytes]
    wallet: _Wallet
    partner_id: int
    sessions_file: str

    def measure(self, wrk: Wrk, key: str, seconds: float) -> LoadPoint:
        bench, wallet = self.bench, self.wallet
        threads = str(wrk.threads)
        probe = WalletProbe(wallet.url, wallet.token, bench.server.pid, wallet.port)
        sandbox_cpu = CpuMeter(self.sandbox.pid)
        transactions = bench.postgres.transactions(bench.database)
        before, since = sandbox_cpu.snapshot(), datetime.now(UTC)
        probe.start()
        try:
            result = wrk.run(key, "slot_spin.lua", "/", seconds, self.sessions_file, threads,
                             f"{key}-run", expected=200)  # fmt: skip
        finally:
            figures, links = probe.stop()
        until, used = datetime.now(UTC), CpuMeter.percent(before, sandbox_cpu.snapshot())
        transactions = bench.postgres.transactions(bench.database) - transactions
        bench.run.results[key] = result
        say(f"      {brief(result)}")
        recorded = asyncio.run(_recorded_calls(bench, self.partner_id, since, until))
        wallet_ms = 2 * figures.p50_ms
        point = LoadPoint(
            key=key,
            connections=wrk.connections,
            rounds_per_second=result.ok_per_second,
            p50_ms=result.ms("p50"),
            p99_ms=result.ms("p99"),
            server_ms_per_round=result.server_ms_per_ok,
            postgres_ms_per_round=_per_ok(result, result.data["cpu_percent"]["postgres"]),
            transactions_per_round=transactions / result.ok if result.ok else 0.0,
            wallet_cpu_percent=used["server"],
            probe=figures,
            recorded=recorded,
            wallet_connections=links,
            added_p50_ms=result.ms("p50") - wallet_ms,
            added_p99_ms=result.ms("p99") - wallet_ms,
        )
        for line in point.lines():
            say(f"      {line.removeprefix('- ').strip()}")
        return point


def _start_sandbox(bench: Bench, port: int, token: str) -> subprocess.Popen[bytes]:
    """`portero wallet sandbox` on loopback, returned once its admin API answers."""
    log = bench.out / "wallet-sandbox.log"
    command = [
        str(PORTERO), "wallet", "sandbox", "--host", HOST, "--port", str(port),
        "--latency-ms", f"{WALLET_LATENCY_MS:g}", "--opening-balance", OPENING_BALANCE,
    ]  # fmt: skip
    # The token through the environment rather than the command line (ps shows that).
    env = bench.env | {"PORTERO_SANDBOX_AUTH_TOKEN": token}
    sandbox = bench.children.start(
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if sandbox.poll() is not None:
            raise SystemExit(f"the wallet sandbox exited:\n{log.read_text(errors='replace')}")
        try:
            answer = httpx.get(
                f"http://{HOST}:{port}/_sandbox/state", params={"authToken": token}, timeout=2
            )
            if answer.status_code == 200:
                return sandbox
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_process(sandbox)
    raise SystemExit("the wallet sandbox did not answer within 30 s")


def _seamless_partner(env: dict[str, str], wallet_url: str, token: str) -> dict[str, Any]:
    partner: dict[str, Any] = json.loads(
        portero(env, "partner", "create", "bench-seamless", "--json")
    )
    ident = str(partner["id"])
    portero(env, "partner", "configure", ident, "--products", "slot", "--launch-ttl", "3600")
    portero(
        env, "partner", "wallet", ident, "--mode", "seamless", "--url", wallet_url,
        "--auth-token", token,
    )  # fmt: skip
    return partner


async def _open_tables(base_url: str, sessions: list[str]) -> None:
    """What the slot page does as it opens: GET the table, which runs the wallet's `check`
    (its sid is the one every debit must carry) and `balance`."""
    limit = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:

        async def sit_down(session: str) -> None:
            async with limit:
                headers = {"Authorization": f"Bearer {session}"}
                answer = await client.get("/play/api/slots/game", headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"opening a seamless table: {answer.status_code} {answer.text}")

        await asyncio.gather(*(sit_down(session) for session in sessions))


async def _recorded_calls(
    bench: Bench, partner_id: int, since: datetime, until: datetime
) -> RecordedCalls:
    sql = (
        "SELECT a.duration_ms, a.outcome FROM delivery_attempt a "
        "JOIN delivery d ON d.id = a.delivery_id "
        "WHERE d.partner_id = $1 AND a.started_at >= $2 AND a.started_at < $3"
    )
    connection = await asyncpg.connect(bench.postgres.url(bench.database), timeout=10)
    try:
        rows = await connection.fetch(sql, partner_id, since, until)
    finally:
        await connection.close()
    durations = [float(row["duration_ms"]) for row in rows]
    return RecordedCalls(
        calls=len(rows),
        p50_ms=percentile(durations, 50),
        p99_ms=percentile(durations, 99),
        outcomes=dict(Counter(str(row["outcome"]) for row in rows)),
    )


def _connection_bound(env: dict[str, str]) -> int:
    configured = env.get("PORTERO_WALLET_MAX_CONNECTIONS")
    if configured:
        return int(configured)
    default: int = Settings.model_fields["wallet_max_connections"].default
    return default
