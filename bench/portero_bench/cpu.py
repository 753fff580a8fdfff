"""CPU accounting from /proc: the server (user, kernel, and time spent waiting for a CPU),
every PostgreSQL process, wrk (this script's children) and the rest of the machine."""

from __future__ import annotations

import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

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
