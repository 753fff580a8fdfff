"""How one phase of the signalling benchmark is measured: the latencies the tracker gathered,
and around them the CPU of the servers (and how long they waited for one), PostgreSQL, Redis,
the client process and the whole machine, and the client's own event-loop lag."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from .call_pages import Tracker
from .cpu import CpuMeter, CpuSnapshot
from .stats import percentile


@dataclass(frozen=True)
class Phase:
    """One phase of relayed messages: how many went and came, and how long each took (ms)."""

    seconds: float
    sent: int
    received: int
    messages_per_second: float  # received
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    server_cpu_percent: float  # every server process of the case, % of a core
    server_ms_per_message: float  # their CPU time over the messages received
    server_waiting_percent: float  # their time runnable but waiting for a CPU
    postgres_cpu_percent: float
    client_cpu_percent: float  # the process holding the sockets
    client_lag_p99_ms: float  # how late its event loop woke up, p99
    machine_cpu_percent: float  # everything on the machine, this run's and others' work
    redis_cpu_percent: float | None  # redis-server (through Redis only)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _redis_pid() -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "redis-server":
                    return int(entry.name)
    return None


class PhaseMeter:
    """Around one phase: the CPU of the servers (and how long they waited for one), of
    PostgreSQL, Redis, this process and the whole machine; and this process's own event-loop
    lag (how late a 5 ms sleep wakes up), the part of the latency that is the client's."""

    def __init__(self, server_pids: list[int], *, redis: bool) -> None:
        self.servers = [CpuMeter(pid) for pid in server_pids]
        redis_pid = _redis_pid() if redis else None
        self.redis = CpuMeter(redis_pid) if redis_pid is not None else None

    async def phase(
        self, tracker: Tracker, seconds: float, run: Callable[[], Awaitable[None]]
    ) -> Phase:
        tracker.reset()
        meters = [*self.servers, *([self.redis] if self.redis else [])]
        before, own, wall = [m.snapshot() for m in meters], _own_cpu(), time.monotonic()
        lags: list[float] = []
        lagging = asyncio.create_task(_lag(lags))
        try:
            await run()
            for _ in range(20):  # the last messages still on their way: up to 2 s
                if not tracker.sent:
                    break
                await asyncio.sleep(0.1)
        finally:
            lagging.cancel()
        elapsed = time.monotonic() - wall
        used = [CpuMeter.percent(b, m.snapshot()) for b, m in zip(before, meters, strict=True)]
        servers = sum(u["server"] for u in used[: len(self.servers)])
        latencies = tracker.latencies
        tracker.sent.clear()
        tracker.windows.clear()
        return Phase(
            seconds=seconds,
            sent=tracker.sent_count,
            received=len(latencies),
            messages_per_second=len(latencies) / seconds,
            p50_ms=percentile(latencies, 50),
            p90_ms=percentile(latencies, 90),
            p99_ms=percentile(latencies, 99),
            max_ms=max(latencies, default=0.0),
            server_cpu_percent=servers,
            server_ms_per_message=10 * servers * elapsed / len(latencies) if latencies else 0.0,
            server_waiting_percent=sum(u["server_waiting"] for u in used[: len(self.servers)]),
            postgres_cpu_percent=used[0]["postgres"],
            client_cpu_percent=round(100 * (_own_cpu() - own) / elapsed, 1),
            client_lag_p99_ms=percentile(lags, 99),
            machine_cpu_percent=_busy(before[0], self.servers[0].snapshot()),
            redis_cpu_percent=used[-1]["server"] if self.redis else None,
        )


async def _lag(lags: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(0.005)
        lags.append(max(0.0, (loop.time() - asked - 0.005) * 1000))


def _busy(before: CpuSnapshot, after: CpuSnapshot) -> float:
    """The whole machine's CPU use between two snapshots, % of a core."""
    return round(100 * (after.machine - before.machine) / (after.wall - before.wall), 1)
