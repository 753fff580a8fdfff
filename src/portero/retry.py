"""Retry schedules in the form `5x60,10x300,24x600`: five tries a minute apart, then ten five
minutes apart, then twenty-four ten minutes apart (One Wallet's own schedule, about 5 hours).

A schedule counts the retries after the first try: the first try is made at once (by the
request that needs it), and the n-th failure waits `delay_after(n)` before the next one, until
the schedule is spent.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

_STEP = re.compile(r"^\s*(\d{1,4})\s*x\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    delays: tuple[float, ...]  # seconds before each retry, in order

    @classmethod
    def parse(cls, text: str) -> RetrySchedule:
        """`"5x60,10x300"` → five delays of 60 s, then ten of 300 s. Empty: no retries."""
        delays: list[float] = []
        for part in filter(None, (piece.strip() for piece in text.split(","))):
            match = _STEP.match(part)
            if match is None:
                raise ValueError(f"{part!r} is not COUNTxSECONDS (e.g. 5x60)")
            count, seconds = int(match[1]), float(match[2])
            if count < 1 or seconds <= 0:
                raise ValueError(f"{part!r}: the count and the seconds must be positive")
            delays.extend([seconds] * count)
        return cls(tuple(delays))

    @property
    def retries(self) -> int:
        return len(self.delays)

    @property
    def total_seconds(self) -> float:
        return sum(self.delays)

    def delay_after(self, failures: int, *, jitter: float = 0.0) -> float | None:
        """Seconds to wait after the `failures`-th failed try (1 = the first try failed), or
        None once the schedule is spent. `jitter` spreads each delay by up to ± that fraction,
        so that the retries of many rounds that failed together do not arrive together."""
        if failures < 1 or failures > len(self.delays):
            return None
        delay = self.delays[failures - 1]
        if jitter:
            delay *= 1 + random.uniform(-jitter, jitter)  # noqa: S311 (spreading, not secrecy)
        return delay

    def __str__(self) -> str:
        parts: list[str] = []
        for delay in self.delays:
            text = f"{delay:g}"
            if parts and parts[-1].endswith(f"x{text}"):
                count = int(parts[-1].split("x", 1)[0]) + 1
                parts[-1] = f"{count}x{text}"
            else:
                parts.append(f"1x{text}")
        return ",".join(parts)
