"""wrk runs of one scenario (a Lua script in bench/lua/) and what they measured."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import LUA
from .cpu import CpuMeter


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
