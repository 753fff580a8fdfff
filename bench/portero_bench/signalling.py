"""Call signalling: WebRTC signals and chat relayed between the two parties of connected calls
(call_pages.py sets them up and times each message from send to receive), first with both
parties on the server under test, then across two server processes of their own sharing Redis
(`PORTERO_REDIS_URL`), every customer on one and every agent on the other. The server under
test keeps its own configuration (no Redis), so the second case starts both of its processes
here, on the same database, and stops them at the end.

Each case has two phases, both bounded: `paced` (every call sends `rate` messages a second each
way for `paced_seconds`, at a steady pace: the latency at that load) and `burst` (each way of
each call keeps `window` messages in flight for `burst_seconds`: how many messages a second the
server relays when nothing waits but the relay). Relaying costs no database round trip
(calls/ws/customer.py and agent.py relay from what the socket last read); the database's own
count of transactions during the paced phase, beside the message rate, shows it. What it does
count: every socket's periodic check of its play session (at least every
`PORTERO_CALL_REVALIDATE_SECONDS`, 5 s), the heartbeats written once per 5 s, the call
clock's ticks, and the chat's transcript, which each process's writer keeps in one INSERT
per 50 ms of messages (calls/transcripts.py), beside the relay. Both of a socket's own run in
a task beside its relay (calls/ws/connection.py `_chores`), so no message waits for them.

Connecting the calls is reported as `setup_seconds` (see call_pages.connect_calls): a
customer who joins or is answered makes the customers still queued re-read their state, not
the connected ones.

The client is one Python process holding every socket (the benchmark's): its own CPU use is
reported beside the servers', since on a small machine it competes with them, and the latency
it measures includes its own event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from websockets.exceptions import ConnectionClosed

from .call_pages import (
    Call,
    Page,
    SetupFailed,
    Tracker,
    connect_calls,
    hang_up,
    make_booths,
    settle,
)
from .common import HOST, PORTERO, say
from .phases import Phase, PhaseMeter
from .processes import Children, free_port, portero, stop_process, wait_until_up

REDIS_URL = "redis://127.0.0.1:6379/11"
TARGET_P99_ONE_MS = 5.0
TARGET_P99_REDIS_MS = 10.0


@dataclass(frozen=True)
class RelayRun:
    """One case: `calls` connected calls, the time it took to connect them, both phases."""

    topology: str
    calls: int
    setup_seconds: float
    paced: Phase
    burst: Phase
    # PostgreSQL transactions per second in the database during the paced phase (None: not
    # PostgreSQL); compare with paced.messages_per_second.
    database_transactions_per_second: float | None


@dataclass(frozen=True)
class Signalling:
    one_process: RelayRun
    through_redis: RelayRun | None

    def targets(self) -> list[tuple[str, str, bool]]:
        """In the shape of report.targets: (name, measured, passed)."""
        checks = []
        for run, bound in ((self.one_process, TARGET_P99_ONE_MS),
                           (self.through_redis, TARGET_P99_REDIS_MS)):  # fmt: skip
            if run is not None:
                p99 = run.paced.p99_ms
                name = f"signalling p99, {run.topology}, {run.calls} calls <= {bound:g} ms"
                checks.append((name, f"{p99:.1f} ms", p99 <= bound))
        return checks

    def lines(self) -> list[str]:
        """Markdown bullets for the README."""
        runs = (self.one_process, self.through_redis)
        return [_line(run) for run in runs if run is not None]


def _line(run: RelayRun) -> str:
    paced, burst = run.paced, run.burst
    database = run.database_transactions_per_second
    queries = f", {database:.0f} database transactions/s" if database is not None else ""
    redis = burst.redis_cpu_percent
    redis_cpu = f", Redis {redis:.0f}%" if redis is not None else ""
    return (
        f"- Signalling, {run.topology}, {run.calls} calls ({2 * run.calls} sockets, connected "
        f"in {run.setup_seconds:.1f} s). Paced: {paced.messages_per_second:,.0f} messages/s, "
        f"send to receive p50 {paced.p50_ms:.2f} ms, p90 {paced.p90_ms:.2f} ms, p99 "
        f"{paced.p99_ms:.2f} ms, max "
        f"{paced.max_ms:.1f} ms; {paced.server_ms_per_message:.3f} ms of server CPU per "
        f"message{queries}; the servers waited for a CPU {paced.server_waiting_percent:.0f}% "
        f"of the time, the client's event loop woke up to {paced.client_lag_p99_ms:.1f} ms "
        f"late (p99), the machine was {paced.machine_cpu_percent:.0f}% busy (100% a core). "
        f"Flat out: {burst.messages_per_second:,.0f} messages/s, p50 {burst.p50_ms:.1f} ms, "
        f"p99 {burst.p99_ms:.1f} ms (CPU: servers {burst.server_cpu_percent:.0f}%, the client "
        f"{burst.client_cpu_percent:.0f}%{redis_cpu}, the machine "
        f"{burst.machine_cpu_percent:.0f}%)."
    )


@dataclass(frozen=True)
class _Load:
    calls: int
    rate: float
    paced_seconds: float
    burst_seconds: float
    window: int
    at_once: int


def measure_signalling(
    base_url: str,
    env: dict[str, str],
    *,
    server_pid: int,
    log_dir: Path,
    children: Children | None = None,
    redis_url: str = REDIS_URL,
    calls: int = 100,
    rate: float = 2.0,
    paced_seconds: float = 8.0,
    burst_seconds: float = 3.0,
    window: int = 2,
    at_once: int = 1,
) -> Signalling:
    """Both cases, for a partner of their own (created here with the `call` product): on the
    server under test (`base_url`, process `server_pid`), then through Redis on two processes
    started here (logs in `log_dir`; registered with `children` too, if given, so that an
    interrupted benchmark stops them). `redis_url=""` leaves the second case out."""
    load = _Load(calls, rate, paced_seconds, burst_seconds, window, at_once)
    token = _call_partner(env)
    say(f"      signalling on one process: {calls} calls")
    one = _run(_relay_run("one process", base_url, base_url, token, [server_pid], env, load))
    for line in Signalling(one, None).lines():
        say(f"      {line.removeprefix('- ')}")
    if not redis_url:
        return Signalling(one, None)
    say(f"      signalling through Redis ({redis_url}): two more server processes")
    started = [_start_server(env, redis_url, log_dir / f"server-redis-{n}.log", children)
               for n in (1, 2)]  # fmt: skip
    try:
        (customers, a), (agents, b) = started
        two = _run(
            _relay_run("two processes through Redis", agents, customers, token, [a.pid, b.pid],
                       env, load)
        )  # fmt: skip
    finally:
        for _url, process in started:
            stop_process(process)
    result = Signalling(one, two)
    for line in result.lines()[1:]:
        say(f"      {line.removeprefix('- ')}")
    return result


def _run(case: Coroutine[Any, Any, RelayRun]) -> RelayRun:
    try:
        return asyncio.run(case)
    except (SetupFailed, ConnectionClosed) as error:
        raise SystemExit(f"signalling: {type(error).__name__}: {error}") from None


def _call_partner(env: dict[str, str]) -> str:
    partner: dict[str, Any] = json.loads(portero(env, "partner", "create", "bench-calls", "--json"))
    ident = str(partner["id"])
    portero(env, "partner", "configure", ident, "--products", "call", "--launch-ttl", "3600")
    return str(partner["token"])


def _start_server(
    env: dict[str, str], redis_url: str, log: Path, children: Children | None
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    command = [str(PORTERO), "serve", "--host", HOST, "--port", str(port), "--workers", "1",
               "--no-migrate"]  # fmt: skip
    process_env = env | {"PORTERO_REDIS_URL": redis_url, "PORTERO_PUBLIC_URL": base_url}
    options: dict[str, Any] = {"env": process_env, "stdout": log.open("wb"),
                               "stderr": subprocess.STDOUT}  # fmt: skip
    if children is not None:
        process = children.start(command, **options)
    else:
        process = subprocess.Popen(command, start_new_session=True, **options)
    try:
        wait_until_up(base_url, process, log)
    except BaseException:
        stop_process(process)
        raise
    return base_url, process


async def _relay_run(
    topology: str,
    agent_base: str,
    customer_base: str,
    token: str,
    server_pids: list[int],
    env: dict[str, str],
    load: _Load,
) -> RelayRun:
    tracker = Tracker()
    started = time.monotonic()
    prefix = f"{'redis' if len(server_pids) > 1 else 'local'}-{os.getpid()}"
    booths = await make_booths(agent_base, customer_base, token, load.calls, prefix)
    calls = await connect_calls(
        booths, _ws(agent_base), _ws(customer_base), tracker, at_once=load.at_once
    )
    connected = time.monotonic() - started
    settling = await settle(calls, tracker)
    say(f"      {load.calls} calls connected in {connected:.1f} s, quiet {settling:.1f} s later")
    setup = connected + settling
    try:
        meter = PhaseMeter(server_pids, redis=len(server_pids) > 1)
        count_before, counted_from = await _transactions(env), time.monotonic()
        paced = await meter.phase(tracker, load.paced_seconds, lambda: _paced(calls, load))
        count_after, counted_for = await _transactions(env), time.monotonic() - counted_from
        burst = await meter.phase(tracker, load.burst_seconds, lambda: _burst(calls, load))
    finally:
        await hang_up(calls)
    database = None
    if count_before is not None and count_after is not None:
        database = (count_after - count_before) / counted_for
    return RelayRun(topology, load.calls, setup, paced, burst, database)


def _ws(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1)


async def _paced(calls: list[Call], load: _Load) -> None:
    """Every call, each way, `rate` messages a second, each way starting at a random phase."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1
    count = int(load.paced_seconds * load.rate)

    async def steady(page: Page, call_id: str) -> None:
        offset = random.random() / load.rate  # spreads the sends
        for n in range(count):
            await asyncio.sleep(max(0.0, start + offset + n / load.rate - loop.time()))
            await page.relay(call_id)

    await asyncio.gather(
        *(steady(page, c.call_id) for c in calls for page in (c.customer, c.agent))
    )


async def _burst(calls: list[Call], load: _Load) -> None:
    """Each way of every call keeps `window` messages in flight until the phase ends."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + load.burst_seconds

    async def flat_out(page: Page, call_id: str) -> None:
        window = asyncio.Semaphore(load.window)
        while loop.time() < deadline:
            try:
                await asyncio.wait_for(window.acquire(), 2.0)
            except TimeoutError:  # lost: the phase reports it (sent > received)
                return
            await page.relay(call_id, window)

    await asyncio.gather(
        *(flat_out(page, c.call_id) for c in calls for page in (c.customer, c.agent))
    )


async def _transactions(env: dict[str, str]) -> int | None:
    """Transactions committed and rolled back so far in the database of `env` (PostgreSQL
    only), read from the maintenance database so that reading does not count."""
    url = urlsplit(env.get("PORTERO_DATABASE_URL", ""))
    if not url.scheme.startswith("postgresql"):
        return None
    database = url.path.lstrip("/")
    dsn = url._replace(scheme="postgresql", path="/postgres").geturl()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1"
        return int(await connection.fetchval(sql, database))
    finally:
        await connection.close()
