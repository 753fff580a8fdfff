"""Load benchmark of one Portero server process against PostgreSQL, with wrk.

Runs every scenario in one go (so the ratios compare against the baseline measured a minute
earlier on the same machine), keeps wrk's raw output under bench/results/ and rewrites
bench/README.md. Usage: `bash bench/run.sh [options]` (see `--help`).

Everything it starts (server, wrk, py-spy) is stopped and the scratch database dropped on the
way out, including on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LUA = BENCH / "lua"
BIN = Path(sys.executable).parent
PORTERO = BIN / "portero"
HOST = "127.0.0.1"
TARGET_RATIO = 0.25
TARGET_P99_MS = 50.0
PROFILE_RATE = 100  # py-spy samples per second


# ---------------------------------------------------------------------------------- plumbing


def say(message: str) -> None:
    print(message, flush=True)


def step(number: int, total: int, message: str) -> None:
    say(f"[{number}/{total}] {message}")


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing it with apt-get")
    subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        timeout=600,
        env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
    )
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk still not found after apt-get install")
    return found


def ensure_makedirs(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Children:
    """Every process this script starts in the background, stopped on the way out."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, start_new_session=True, **kwargs)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            stop_process(process)


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    # Own session (start_new_session), so the group id is the pid: only our own processes.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# ---------------------------------------------------------------------------------- database


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    async def _query(self, sql: str) -> str:
        """Run one statement in the maintenance database; its first value, if any."""
        connection = await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres", timeout=10
        )
        try:
            return str(await connection.fetchval(sql))
        finally:
            await connection.close()

    def create(self, name: str) -> None:
        asyncio.run(self._query(f'CREATE DATABASE "{name}"'))

    def drop(self, name: str) -> None:
        asyncio.run(self._query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def version(self) -> str:
        return asyncio.run(self._query("SHOW server_version"))


# ------------------------------------------------------------------------------------ server


def portero(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(PORTERO), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"portero {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"the server exited with {server.returncode}:\n{tail}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz within 60 s")


# --------------------------------------------------------------------------------------- wrk

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of one process ((0, 0) if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    return int(fields[11]) / _TICK, int(fields[12]) / _TICK


def _run_queue_wait(pid: int) -> float:
    """Seconds the process's main thread has spent runnable but waiting for a CPU."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _postgres_cpu() -> dict[int, float]:
    used = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    used[int(entry.name)] = sum(_cpu_of(int(entry.name)))
    return used


@dataclass(frozen=True)
class CpuSnapshot:
    wall: float
    machine: float
    server_user: float
    server_system: float
    server_waiting: float
    postgres: dict[int, float]
    wrk: float


@dataclass
class CpuMeter:
    """CPU used during one run by the server (and how much of it in the kernel, and how long
    it waited for a CPU), by PostgreSQL (every backend), by wrk and by everything else."""

    server_pid: int

    def snapshot(self) -> CpuSnapshot:
        # /proc/stat, first line: user nice system idle iowait irq softirq steal ...
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        user, system = _cpu_of(self.server_pid)
        return CpuSnapshot(
            wall=time.monotonic(),
            machine=(sum(ticks[:8]) - ticks[3] - ticks[4]) / _TICK,
            server_user=user,
            server_system=system,
            server_waiting=_run_queue_wait(self.server_pid),
            postgres=_postgres_cpu(),
            wrk=children.ru_utime + children.ru_stime,
        )

    @staticmethod
    def percent(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
        def pct(seconds: float) -> float:
            return round(100 * seconds / (after.wall - before.wall), 1)

        server_system = after.server_system - before.server_system
        server = after.server_user - before.server_user + server_system
        # Backends that ended during the run are lost; those that started count in full.
        postgres = sum(v - before.postgres.get(pid, 0.0) for pid, v in after.postgres.items())
        wrk = after.wrk - before.wrk
        other = after.machine - before.machine - server - postgres - wrk
        return {
            "server": pct(server),
            "server_system": pct(server_system),
            "server_waiting": pct(after.server_waiting - before.server_waiting),
            "postgres": pct(postgres),
            "wrk": pct(wrk),
            "other": max(0.0, pct(other)),
        }


@dataclass
class WrkResult:
    scenario: str
    expected: int
    data: dict[str, Any]

    @property
    def seconds(self) -> float:
        return float(self.data["duration_us"]) / 1e6

    @property
    def requests(self) -> int:
        return int(self.data["requests"])

    @property
    def ok(self) -> int:
        return int(self.data["statuses"].get(str(self.expected), 0))

    @property
    def ok_per_second(self) -> float:
        return self.ok / self.seconds

    @property
    def unexpected(self) -> int:
        """Responses with any status but the expected one."""
        return sum(n for s, n in self.data["statuses"].items() if s != str(self.expected))

    @property
    def not_2xx_3xx(self) -> int:
        return int(self.data["errors"]["status"])

    @property
    def socket_errors(self) -> int:
        errors = self.data["errors"]
        return sum(int(errors[k]) for k in ("connect", "read", "write", "timeout"))

    def ms(self, key: str) -> float:
        return float(self.data["latency_us"][key]) / 1000

    @property
    def cpu(self) -> str:
        """CPU use of server (in the kernel) / PostgreSQL / wrk / anything else, % of a core."""
        c = self.data["cpu_percent"]
        return (
            f"{c['server']:.0f} ({c['server_system']:.0f}) / {c['postgres']:.0f} "
            f"/ {c['wrk']:.0f} / {c['other']:.0f}"
        )

    @property
    def server_ms_per_ok(self) -> float:
        """Server CPU time per successful response, in milliseconds."""
        return 10 * self.data["cpu_percent"]["server"] / self.ok_per_second if self.ok else 0.0

    @property
    def waiting(self) -> str:
        return f"{self.data['cpu_percent']['server_waiting']:.0f}%"


@dataclass
class Wrk:
    binary: str
    base_url: str
    threads: int
    connections: int
    results: Path
    cpu: CpuMeter
    headers: tuple[str, ...] = ()

    def run(
        self,
        name: str,
        script: str,
        path: str,
        seconds: float,
        *args: str,
        expected: int,
    ) -> WrkResult:
        command = [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            str(LUA / script),
            *[part for header in self.headers for part in ("-H", header)],
            self.base_url + path,
            "--",
            *args,
        ]
        before = self.cpu.snapshot()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        cpu = CpuMeter.percent(before, self.cpu.snapshot())
        output = done.stdout + done.stderr
        (self.results / f"wrk-{name}.txt").write_text(
            "$ " + " ".join(command).replace(self._secret(), "<token>") + "\n\n" + output
        )
        match = re.search(r"^BENCH_RESULT (\{.*\})$", done.stdout, re.MULTILINE)
        if done.returncode != 0 or match is None:
            raise SystemExit(f"wrk {name} failed ({done.returncode}):\n{output}")
        return WrkResult(name, expected, json.loads(match.group(1)) | {"cpu_percent": cpu})

    def _secret(self) -> str:
        for header in self.headers:
            if header.startswith("Authorization: Bearer "):
                return header.removeprefix("Authorization: Bearer ")
        return "\0"


def brief(result: WrkResult) -> str:
    text = (
        f"{result.ok_per_second:8.0f} ok/s  p50 {result.ms('p50'):6.1f} ms  "
        f"p99 {result.ms('p99'):6.1f} ms  unexpected {result.unexpected}  "
        f"CPU% server (kernel) / pg / wrk / other {result.cpu}  server waiting for a CPU "
        f"{result.waiting}"
    )
    if result.socket_errors:
        text += f"  socket errors {result.socket_errors}"
    if result.data.get("exhausted"):
        text += f"  RAN OUT OF LINKS ({result.data['exhausted']} requests)"
    return text


# ----------------------------------------------------------------------------- link creation


async def create_play_sessions(base_url: str, token: str, count: int) -> list[str]:
    """Open `count` slot launches (one player each) and return their play-session tokens."""
    sessions = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        for index in range(count):
            body = {
                "product": "slot",
                "params": {"game_id": "monaco-nights"},
                "player": {"id": f"spinner-{index}", "language": "en", "currency": "EUR"},
            }
            created = await client.post("/v1/launches", json=body, headers=headers)
            created.raise_for_status()
            opened = await client.get(created.json()["url"])
            sessions.append(opened.headers["location"].split("#session=", 1)[1])
    return sessions


async def create_links(base_url: str, token: str, count: int, prefix: str) -> list[str]:
    """Issue `count` launches through the API (concurrently) and return their link tokens."""
    tokens: list[str] = []
    failures: Counter[int] = Counter()
    next_index = 0
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {token}"}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal next_index
        while next_index < count and sum(failures.values()) < 100:
            index = next_index
            next_index += 1
            body = {
                "product": "roulette",
                "player": {
                    "id": f"{prefix}-{index}",
                    "nickname": "n",
                    "language": "en",
                    "currency": "EUR",
                },
            }
            # The key makes a retry safe: a connection the server closed under a keep-alive
            # race answers the same launch on the second try instead of a second one.
            keyed = headers | {"Idempotency-Key": f"{prefix}-{index}"}
            response = None
            for _attempt in range(3):
                try:
                    response = await client.post("/v1/launches", json=body, headers=keyed)
                    break
                except httpx.TransportError:
                    continue
            if response is None:
                failures[0] += 1
                continue
            if response.status_code != 201:
                failures[response.status_code] += 1
                continue
            tokens.append(response.json()["url"].rsplit("/launch/", 1)[1])

    async def progress() -> None:
        # In place on a terminal; a line every 5 s in a log.
        tty = sys.stdout.isatty()
        while True:
            await asyncio.sleep(1 if tty else 5)
            rate = len(tokens) / (time.monotonic() - started)
            line = f"      {len(tokens):>7}/{count} links  ({rate:.0f}/s)"
            print("\r" + line if tty else line, end="" if tty else "\n", flush=True)

    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        reporter = asyncio.create_task(progress())
        try:
            await asyncio.gather(*(worker(client) for _ in range(32)))
        finally:
            reporter.cancel()
    elapsed = time.monotonic() - started
    end = "\r" if sys.stdout.isatty() else ""
    print(f"{end}      {len(tokens):>7}/{count} links in {elapsed:.0f} s", flush=True)
    if failures:
        raise SystemExit(f"creating links failed: statuses {dict(failures)}")
    return tokens


# ----------------------------------------------------------------------------------- profile


_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
# The Python frames the event-loop thread sits in while uvloop's C code runs (socket I/O, HTTP
# parsing, callbacks): below them py-spy sees only C.
_LOOP_FRAMES = ("Runner.run", "run_until_complete", "run_forever", "asyncio_run")
PROFILE_SECTIONS = ("package", "function", "inclusive", "calls")
_WRITE_CALLS = ("write", "writev", "send", "sendto", "sendmsg", "__libc_write", "__send")


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        frames.append((match["function"], match["file"]) if match else (frame, ""))
    return frames


def _is_python(path: str) -> bool:
    return path.endswith(".py") or path.startswith("<")


def _package(path: str) -> str:
    """py-spy names files relative to their sys.path entry: the first part is the package."""
    return path.split("/", 1)[0].removesuffix(".py") or "?"


def summarise_profile(
    raw: Path, seconds: float, top: int = 15, sections: tuple[str, ...] = PROFILE_SECTIONS
) -> str:
    """Where the thread holding the GIL was, from `py-spy record --gil --native --format raw`.

    Time in C is charged to the Python frame that called it, except socket writes and the
    cyclic garbage collector (it runs inside whatever allocation triggered it): own lines."""
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    total = loop = gc = workers = 0
    writes: Counter[bool] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        everything = _frames(stack)
        frames = [(f, p) for f, p in everything if _is_python(p)]
        last_python = max((i for i, (_, p) in enumerate(everything) if _is_python(p)), default=-1)
        native = [f for f, _ in everything[last_python + 1 :]]
        if any(f.startswith("gc_collect") for f in native):
            gc += count
            continue
        if native and native[-1] in _WRITE_CALLS:
            to_postgres = any(p.startswith("asyncpg/") for _, p in frames)
            writes[to_postgres] += count
            continue
        if not frames or frames[-1][0] in _LOOP_FRAMES:
            loop += count
            continue
        if frames[0][0].startswith("Thread._bootstrap"):
            workers += count
            continue
        function, path = frames[-1]
        by_package[_package(path)] += count
        by_function[f"{function} ({path})"] += count
        for name in {f"{f} ({p})" for f, p in frames if p.startswith("portero/")}:
            inclusive[name] += count
        ours = [i for i, (_, p) in enumerate(frames) if p.startswith("portero/")]
        if ours and ours[-1] + 1 < len(frames):
            caller, callee = frames[ours[-1]][0], frames[ours[-1] + 1]
            calls[f"{caller} -> {callee[0]} ({callee[1]})"] += count
    if not total:
        return "py-spy recorded no samples.\n"

    def share(n: int) -> str:
        return f"{100 * n / total:5.1f}%"

    def table(title: str, counter: Counter[str]) -> list[str]:
        return [title, *(f"{share(n)}  {name}" for name, n in counter.most_common(top)), ""]

    rest = total - loop - gc - writes.total() - workers
    lines = [
        f"{total} samples of the thread holding the GIL in {seconds:g} s "
        f"(the GIL was held {total / seconds / PROFILE_RATE:.0%} of the time).",
        f"{share(writes[True])}  in write() on a PostgreSQL socket (asyncpg)",
        f"{share(writes[False])}  in write() on an HTTP client socket (uvicorn)",
        "        (loopback delivery and waking the reader happen inside write(); this time",
        "        includes waiting for a CPU when the reader takes it)",
        f"{share(gc)}  cyclic garbage collector (gc_collect_*)",
        f"{share(loop)}  event loop's C code (uvloop: socket I/O, HTTP parsing, callbacks)",
        f"{share(workers)}  worker threads (anyio thread pool: sync dependencies)",
        f"{share(rest)}  Python code on the event loop, broken down below",
        "",
    ]
    titled = {
        "package": ("Self time by package:", by_package),
        "function": ("Self time by function:", by_function),
        "inclusive": ("Inclusive time of portero's functions:", inclusive),
        "calls": ("Deepest portero frame -> the library call it made, inclusive:", calls),
    }
    for section in sections:
        lines += table(*titled[section])
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ report


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


def render_readme(run: Run) -> str:
    o = run.options
    m = run.machine
    drift = ""
    if "a-end" in run.results:
        change = run.results["a-end"].ok_per_second / run.results["a"].ok_per_second - 1
        drift = f"The baseline measured again at the end differed by {change:+.1%}."
    profiles = ""
    if run.profiles:
        profiles = (
            "\n## Where the time goes\n\n"
            f"`py-spy record --gil --native` sampled the server for {o.profile_seconds:g} s in\n"
            "the middle of an extra, untimed run of the scenario (`--profile`): only the thread\n"
            "holding the GIL; C time is charged to its Python caller, except socket writes and\n"
            "the garbage collector. Then: self time by package, and the time below the deepest\n"
            "portero frame of each stack (what portero's code asked the libraries for;\n"
            "`BodyLimitMiddleware -> …` is the framework around the endpoint). Sampling\n"
            f"stops the process {PROFILE_RATE} times a second and slows it down (see the load\n"
            "line): read the shares, not the rates. Per-function detail and raw stacks:\n"
            "`bench/results/<run>/profile-*.txt`.\n"
        )
        for key, (summary, load) in run.profiles.items():
            profiles += (
                f"\n### {LABELS[key]}\n\nLoad while sampling: {load.ok_per_second:.0f} ok/s, "
                f"p50 {load.ms('p50'):.1f} ms, p99 {load.ms('p99'):.1f} ms; CPU % server "
                f"(kernel) / pg / wrk and py-spy / other: {load.cpu}.\n\n"
                f"```\n{summary.rstrip()}\n```\n"
            )
    return f"""# Benchmark

Throughput and latency of one Portero server process under [wrk](https://github.com/wg/wrk),
on one machine, with PostgreSQL. Regenerate this file with `make bench` (that is,
`bash bench/run.sh`).

## What is measured

- **(a)** `GET /healthz`: no database, no authentication. The ceiling of the stack (uvicorn,
  FastAPI, middleware) on this machine; the other scenarios are compared with it.
- **(b) new player**: `POST /v1/launches` with a player id never seen before on every request
  (id = run prefix, wrk thread, counter): one player insert and one launch insert.
- **(b) returning player**: the same request cycling through a fixed set of
  {o.returning_players} player ids, which exist after the warm-up: the upsert updates.
- **(b) with Idempotency-Key**: as (b) new player, each request with a key of its own. Without
  a key, issuing is one statement, atomic by itself, sent without BEGIN/COMMIT; a key makes
  it a transaction (BEGIN, statement, COMMIT), since a replay or a refusal must see and may
  have to undo the player upsert.
- **(d)** the create-session call of each seed API, each request for a new user: seed 000
  (form parameters, no key: one statement), seed 001 (its `uuid` is an idempotency key: a
  transaction) and seed 002 (JSON, no key: one statement). Seed 000 answers HTTP 200 to errors
  too, so only bodies with `"status":"OK"` count.
- **(c)** `GET /launch/{{token}}`: first opening of a link (claims the launch, starts the play
  session, answers 303). {run.links:,} links are created through the API just before (and
  more for the warm-up); each wrk thread walks its own disjoint slice, each token once.
- **(e)** `POST /play/api/slots/spins`: a 20-cent spin of monaco-nights (free spins played
  out, bet and win settled on the wallet, the spin recorded), over {o.connections} players'
  play sessions, each request with a new spin id. No target: measured beside the others.

## How

- A fresh PostgreSQL database per run, migrated, with one configured partner (link lifetime
  1 h); dropped at the end.
- `portero serve --workers 1`, with `PORTERO_LOG_LEVEL={o.log_level}` (the per-request access
  line is INFO: left out so that the numbers measure the service, not the log pipe) and the
  expiry sweep off.
- wrk with {o.threads} threads and {o.connections} connections, on the same machine as the
  server and PostgreSQL (all share the cores). Each scenario: {o.warmup:g} s warm-up, then
  {o.duration:g} s timed; all in one invocation, so the ratios use this run's own baseline.
  {drift}
- ok/s counts only responses with the expected status (200, 201, 201, 303); latencies are
  wrk's, over all responses. The CPU column is the CPU time of the server process (in
  brackets: the part spent in the kernel), of all PostgreSQL processes, of wrk and of
  everything else on the machine during the timed run, in % of one core ({m["nproc"]}00 = every
  core busy): a large "other" means the numbers were disturbed. "Server waits for CPU" is
  the share of the run its event-loop thread was runnable but not running
  (`/proc/<pid>/schedstat`); the last column divides the server's CPU time by the ok
  responses. Raw wrk output is kept in `bench/results/` (not committed).

## Machine

| | |
|---|---|
| date | {run.started:%Y-%m-%d %H:%M} UTC |
| CPUs (nproc) | {m["nproc"]} |
| CPU model | {m["cpu"]} |
| kernel | {m["kernel"]} |
| Python | {m["python"]} |
| PostgreSQL | {m["postgres"]} |
| wrk | {m["wrk"]} |
| packages | {m["packages"]} |
| code | {m["commit"]} |

## Results

{result_table(run)}
{slot_spin_line(run)}
{status_notes(run)}

## Targets

Ratios are ok/s of the scenario over ok/s of (a); p99 at {o.connections} connections. wrk
keeps {o.connections} requests in flight, so the mean latency is about {o.connections} / ok/s:
a p99 of {TARGET_P99_MS:g} ms needs at least {o.connections * 1000 / TARGET_P99_MS:,.0f} ok/s.

{target_table(run)}
{profiles}
## Re-running

```
make bench                          # or: bash bench/run.sh
bash bench/run.sh --duration 30     # longer timed runs
bash bench/run.sh --profile         # also sample the server with py-spy in (b-new) and (c)
bash bench/run.sh --help            # every option
```

It needs PostgreSQL at {o.pg_host}:{o.pg_port} (user {o.pg_user}, no password; see
`--pg-host`, `--pg-port`, `--pg-user`) and installs wrk with apt-get when it is missing.
Missed targets are reported, not turned into a failing exit code.
"""


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


# -------------------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="timed run, s (10)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up per scenario, s (3)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--returning-players", type=int, default=100, help="(100)")
    parser.add_argument(
        "--links", type=int, default=0, help="links for the timed (c) run; 0: sized from (a)/(b)"
    )
    parser.add_argument("--log-level", default="WARNING", help="server log level (WARNING)")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument("--pg-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--pg-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument(
        "--profile", action="store_true", help="also sample the server with py-spy in (b-new), (c)"
    )
    parser.add_argument("--profile-seconds", type=float, default=10, help="(10)")
    parser.add_argument(
        "--readme", type=Path, default=BENCH / "README.md", help="report to (re)write"
    )
    return parser.parse_args()


def links_needed(run: Run, seconds: float, margin: float = 2.0) -> int:
    """Enough links for `seconds` of (c). Opening a link does strictly more than /healthz and
    in practice costs about as much as creating one: aim at `margin` times the best create
    rate, never above the baseline rate. `--links` fixes the number for the timed run instead.
    Too few links show as "ran out of links" in the results."""
    options = run.options
    if options.links:
        return math.ceil(options.links * seconds / options.duration)
    best_create = max(run.results[k].ok_per_second for k in ("b-new", "b-returning", "b-keyed"))
    rate = min(margin * best_create, 1.1 * run.results["a"].ok_per_second)
    return max(1000, math.ceil(rate * seconds / 1000) * 1000)


def profile(
    run: Run, wrk: Wrk, server_pid: int, key: str, script: str, path: str, *args: str,
    expected: int,
) -> None:  # fmt: skip
    """Sample the server with py-spy in the middle of an extra load run of one scenario."""
    spy = shutil.which("py-spy", path=f"{BIN}:{os.environ.get('PATH', '')}")
    if spy is None:
        say("      py-spy is not installed (pip install py-spy): skipping the profile")
        return
    seconds = run.options.profile_seconds
    raw = wrk.results / f"profile-{key}.txt"
    command = [spy, "record", "--pid", str(server_pid), "--duration", f"{seconds:g}"]
    command += ["--rate", str(PROFILE_RATE), "--gil", "--native", "--format", "raw"]
    command += ["--output", str(raw)]
    with (
        ThreadPoolExecutor(1) as pool,
        (wrk.results / f"py-spy-{key}.log").open("w") as log,
    ):
        load = pool.submit(
            wrk.run, f"profile-{key}", script, path, seconds + 3, *args, expected=expected
        )
        time.sleep(1)
        subprocess.run(command, stdout=log, stderr=log, timeout=seconds + 60, check=False)
        result = load.result()
    say(f"      {brief(result)}")
    if not raw.exists():
        say(f"      py-spy wrote nothing (see {log.name})")
        return
    (wrk.results / f"profile-{key}-summary.txt").write_text(summarise_profile(raw, seconds))
    summary = summarise_profile(raw, seconds, top=10, sections=("package", "calls"))
    run.profiles[key] = (summary, result)


def main() -> int:
    options = parse_args()
    steps = 10 if options.profile else 9
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
        port = options.port or free_port()
        base_url = f"http://{HOST}:{port}"
        env = os.environ | {
            "PORTERO_DATABASE_URL": postgres.url(database),
            "PORTERO_SECRET_KEY": secrets.token_hex(32),
            "PORTERO_PUBLIC_URL": base_url,
            "PORTERO_LOG_LEVEL": options.log_level,
            "PORTERO_EXPIRY_SWEEP_SECONDS": "0",
        }
        portero(env, "migrate")
        partner = json.loads(portero(env, "partner", "create", "bench", "--json"))
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
        warm, timed = options.warmup, options.duration

        def scenario(
            number: int, key: str, script: str, path: str, expected: int, warm_args: list[str],
            run_args: list[str],
        ) -> None:  # fmt: skip
            step(number, steps, f"{LABELS[key]}: {warm:g} s warm-up, {timed:g} s timed")
            if warm > 0:
                wrk.run(f"{key}-warmup", script, path, warm, *warm_args, expected=expected)
            result = wrk.run(key, script, path, timed, *run_args, expected=expected)
            run.results[key] = result
            say(f"      {brief(result)}")

        players = [str(options.returning_players)]
        scenario(4, "a", "healthz.lua", "/healthz", 200, [], [])
        scenario(5, "b-new", "launch_new.lua", "/v1/launches", 201, ["warm"], ["run"])
        scenario(6, "b-returning", "launch_returning.lua", "/v1/launches", 201, players, players)
        keyed_warm, keyed_run = ["kwarm", "keyed"], ["krun", "keyed"]
        scenario(6, "b-keyed", "launch_new.lua", "/v1/launches", 201, keyed_warm, keyed_run)
        # The three seed APIs, each issuing a link for a new user.
        token, member = partner["token"], str(partner["id"])
        scenario(
            6,
            "d-000",
            "seed000_session.lua",
            "/1.0/request/session",
            200,
            [token, member, "warm"],
            [token, member, "run"],
        )
        scenario(
            6,
            "d-001",
            "seed001_session.lua",
            "/api/session",
            200,
            [member, token, "1"],
            [member, token, "2"],
        )
        scenario(
            6,
            "d-002",
            "seed002_session.lua",
            "/api/v1/access/external/cammer/generate-session",
            200,
            ["0"],
            ["100000"],
        )

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
        step(7, steps, f"creating {sum(counts.values()):,} links for (c) through the API")
        tokens = asyncio.run(create_links(base_url, partner["token"], sum(counts.values()), "l"))
        for name, count in counts.items():
            (out / name).write_text("\n".join(tokens[:count]) + "\n")
            tokens = tokens[count:]
        threads = str(options.threads)
        step(8, steps, f"{LABELS['c']}: {warm:g} s warm-up, {timed:g} s timed")
        if warm > 0:
            warm_file = str(out / "links-warmup.txt")
            wrk.run("c-warmup", "open_link.lua", "/", warm, warm_file, threads, expected=303)
        links_file = str(out / "links.txt")
        result = wrk.run("c", "open_link.lua", "/", timed, links_file, threads, expected=303)
        run.results["c"] = result
        say(f"      {brief(run.results['c'])}")
        if run.results["c"].data.get("exhausted"):
            say("      WARNING: not enough links; rerun with a larger --links")

        # (e) The slot spin API: one play session per connection (players' spins are
        # serialised on their wallet), credit enough for every spin of the run.
        portero(env, "partner", "terms", str(partner["id"]), "EUR", "--demo-credit", "100000000")
        sessions = asyncio.run(
            create_play_sessions(base_url, partner["token"], options.connections)
        )
        sessions_file = out / "play-sessions.txt"
        sessions_file.write_text("\n".join(sessions) + "\n")
        file = str(sessions_file)
        scenario(8, "e-slot", "slot_spin.lua", "/play/api/slots/spins", 200, [file, "warm"],
                 [file, "run"])  # fmt: skip

        step(9, steps, f"{LABELS['a-end']}: {timed:g} s")
        run.results["a-end"] = wrk.run("a-end", "healthz.lua", "/healthz", timed, expected=200)
        say(f"      {brief(run.results['a-end'])}")

        if options.profile:
            seconds = options.profile_seconds
            step(10, steps, f"profiling (b) new player and (c) with py-spy, {seconds:g} s each")
            profile(run, wrk, server.pid, "b-new", "launch_new.lua", "/v1/launches", "prof",
                    expected=201)  # fmt: skip
            profile_links = str(out / "links-profile.txt")
            profile(run, wrk, server.pid, "c", "open_link.lua", "/", profile_links, threads,
                    expected=303)  # fmt: skip
    finally:
        children.stop_all()
        if created_database:
            with contextlib.suppress(Exception):
                postgres.drop(database)
                say(f"      dropped database {database}")

    (out / "summary.json").write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "machine": run.machine,
                "links": run.links,
                "results": {k: r.data | {"expected": r.expected} for k, r in run.results.items()},
                "targets": [{"target": n, "measured": v, "pass": p} for n, v, p in targets(run)],
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
