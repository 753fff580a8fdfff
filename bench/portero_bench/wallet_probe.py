"""The wallet's side of a seamless round, measured from outside Portero while wrk loads it: a
probe that calls the sandbox wallet itself, and Portero's TCP connections to that wallet.

The probe is a client of its own (one kept-alive connection, in a thread of the benchmark's
process, which is otherwise idle during a wrk run) that POSTs One Wallet `balance` calls to the
sandbox every `PROBE_INTERVAL_SECONDS`. The sandbox adds its fixed latency to every method
alike, so a probe call costs what one of Portero's debits or credits costs at the wallet: the
latency, the sandbox's own work and queueing under the run's load, and loopback, but none of
Portero's time. Between two probe calls it reads which sockets the server process holds to the
sandbox's port (/proc/<pid>/fd and /proc/net/tcp): how many are open at once and how many
distinct ones (local ports) were seen, which says whether the connections are kept alive and
bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from portero.wallet.onewallet import wire

from .stats import percentile

PROBE_INTERVAL_SECONDS = 0.02
_ESTABLISHED = "01"


@dataclass(frozen=True)
class ProbeFigures:
    """One probe's calls to the wallet: how many, their p50 and p99 (ms) and the calls that
    did not come back as HTTP 200."""

    calls: int
    p50_ms: float
    p99_ms: float
    failed: int


@dataclass(frozen=True)
class WalletConnections:
    """Portero's connections to the wallet while the probe ran, sampled between its calls."""

    samples: int
    most_open: int  # established at once, at most
    distinct: int  # distinct connections (local ports) seen over the whole run


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def connections_to(pid: int, port: int) -> set[int]:
    """The local ports of the established TCP connections process `pid` holds to `port`."""
    inodes = _socket_inodes(pid)
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                remote_port = int(remote.rsplit(":", 1)[1], 16)
                if state == _ESTABLISHED and remote_port == port and inode in inodes:
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


@dataclass
class WalletProbe:
    """Calls the sandbox at `base_url` every PROBE_INTERVAL_SECONDS from a thread, between
    `start()` and `stop()`, and samples the connections `server_pid` holds to it."""

    base_url: str
    auth_token: str
    server_pid: int
    port: int
    samples_ms: list[float] = field(default_factory=list)
    failed: int = 0
    open_counts: list[int] = field(default_factory=list)
    seen_ports: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wallet-probe", daemon=True)
        self._thread.start()

    def stop(self) -> tuple[ProbeFigures, WalletConnections]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        figures = ProbeFigures(
            calls=len(self.samples_ms),
            p50_ms=percentile(self.samples_ms, 50),
            p99_ms=percentile(self.samples_ms, 99),
            failed=self.failed,
        )
        connections = WalletConnections(
            samples=len(self.open_counts),
            most_open=max(self.open_counts, default=0),
            distinct=len(self.seen_ports),
        )
        return figures, connections

    def _run(self) -> None:
        body = wire.balance_body(
            sid="", user_id="wallet-probe", currency="EUR", game=None, uuid=str(uuid.uuid4())
        )
        content = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        params = {"authToken": self.auth_token}
        with httpx.Client(base_url=self.base_url, timeout=5) as client:
            while not self._stop.wait(PROBE_INTERVAL_SECONDS):
                started = time.perf_counter()
                try:
                    answer = client.post(
                        "/balance", params=params, content=content, headers=headers
                    )
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.samples_ms.append((time.perf_counter() - started) * 1000)
                else:
                    self.failed += 1
                ports = connections_to(self.server_pid, self.port)
                self.open_counts.append(len(ports))
                self.seen_ports |= ports


def idle_probe(base_url: str, auth_token: str, calls: int = 20) -> ProbeFigures:
    """The wallet's calls with nothing else running: its fixed latency plus loopback."""
    probe = WalletProbe(base_url, auth_token, server_pid=os.getpid(), port=0)
    probe.start()
    deadline = time.monotonic() + 10
    while len(probe.samples_ms) + probe.failed < calls and time.monotonic() < deadline:
        time.sleep(PROBE_INTERVAL_SECONDS)
    figures, _ = probe.stop()
    return figures
