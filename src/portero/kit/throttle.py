"""Throttling guesses: failed attempts of one kind (opening a link that matches nothing,
authenticating with wrong partner credentials) are counted per client network, in fixed windows
aligned on the wall clock. Once a network has failed `Limit.failures` times in a window, every
further attempt of that kind from it is refused until the window ends, successful or not:
refusing only the failures would still tell a guesser which guess was right.

Successes are never counted and never cost a look-up in a shared store: an attempt is admitted
or refused from what this process knows (`Throttle.admit`, dictionary look-ups), and only a
failure is counted in the store (in process, or Redis for every process at once,
`throttle_redis.py`), whose answer tells the process the network's count so far. With P
processes sharing Redis, a network sending one attempt at a time gets at most
`failures + P - 1` per window (each process learns of the limit from its own next failure);
sending many at once, at most `failures` per process for the limits that count attempts under
way (links), since a process may not have learned yet of the others' counts.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from ipaddress import IPv6Network, ip_address
from typing import Protocol

from portero.kit.errors import PorteroError

log = logging.getLogger("portero.throttle")

Clock = Callable[[], float]
# Networks tracked at once by one process. Past that the oldest are forgotten: an attacker who
# controls that many networks is not slowed down by a per-network limit anyway.
MAX_TRACKED = 50_000


class TooManyAttempts(PorteroError):
    """Too many failed attempts of this kind from the caller's network: retry after the window."""

    default_message = "Too many failed attempts from this address; retry later."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many failed attempts from this address; retry in {retry_after_seconds} s."
        )
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class Limit:
    failures: int  # allowed per window and network; 0 turns the limit off
    window_seconds: int
    # Attempts under way count as failures until they end, from a network that has already
    # failed in the window: otherwise a guesser who sends many at once has them all evaluated
    # before the failures are counted (only the window's first burst is). Not for kinds whose
    # rightful callers send many at once (a partner's servers), who would be refused.
    count_in_flight: bool = False

    @property
    def enabled(self) -> bool:
        return self.failures > 0


def network_of(address: str | None) -> str:
    """The unit a limit applies to: the IPv4 address, or the IPv6 /64 (one host or one home
    usually owns a whole /64, so counting single IPv6 addresses would limit nothing)."""
    if not address:
        return "unknown"
    try:
        ip = ip_address(address)
    except ValueError:  # not an IP (a test client's name, a Unix socket): itself
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 host a.b.c.d
        return str(ip.ipv4_mapped)
    return str(IPv6Network((ip, 64), strict=False))


class FailureCounter(Protocol):
    async def add(self, key: str, *, now: float, expires_at: float) -> int:
        """Count one failure under `key` (unique to its window); the count so far."""
        ...

    async def close(self) -> None: ...


class LocalCounter:
    """Counts in this process's memory, bounded to `max_keys` windows at once."""

    def __init__(self, *, max_keys: int = MAX_TRACKED) -> None:
        self._max_keys = max_keys
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    async def add(self, key: str, *, now: float, expires_at: float) -> int:
        self._forget_ended(now)
        entry = self._counts.get(key)
        count = 1 if entry is None else entry[1] + 1
        self._counts[key] = (expires_at, count)
        while len(self._counts) > self._max_keys:
            self._counts.popitem(last=False)
        return count

    def __len__(self) -> int:
        return len(self._counts)

    def _forget_ended(self, now: float) -> None:
        # Keys are inserted in time order, so ended windows gather at the front.
        while self._counts:
            expires_at, _ = next(iter(self._counts.values()))
            if expires_at > now:
                return
            self._counts.popitem(last=False)

    async def close(self) -> None:
        self._counts.clear()


class Throttle:
    """The limits of each kind of attempt, and what this process knows of each network: the
    failures of the current window (as the store last counted them) and the attempts under way."""

    def __init__(
        self,
        counter: FailureCounter,
        limits: Mapping[str, Limit],
        *,
        clock: Clock = time.time,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self.counter = counter
        self.limits = dict(limits)
        # Wall time, not monotonic: the windows of every process must line up.
        self._clock = clock
        self._max_tracked = max_tracked
        # (kind, network) → (window, failures counted in it)
        self._known: OrderedDict[tuple[str, str], tuple[int, int]] = OrderedDict()
        # (kind, network) → attempts under way, for the limits that count them
        self._running: dict[tuple[str, str], int] = {}

    def admit(self, kind: str, network: str) -> None:
        """Start an attempt, or raise TooManyAttempts while `network` is over the limit of
        `kind`. An admitted attempt ends with `done()`."""
        limit = self.limits.get(kind)
        if limit is None or not limit.enabled:
            return
        now = self._clock()
        window = int(now // limit.window_seconds)
        key = (kind, network)
        known = self._known.get(key)
        failures = known[1] if known is not None and known[0] == window else 0
        if failures >= limit.failures:
            ends = (window + 1) * limit.window_seconds
            raise TooManyAttempts(max(1, math.ceil(ends - now)))
        if limit.count_in_flight:
            running = self._running.get(key, 0)
            # Only once the network has failed in this window: many players behind one address
            # (a venue, a carrier's NAT, a load test) open many good links at once.
            if failures > 0 and failures + running >= limit.failures:
                # The attempts under way may all fail: wait for them, not for the window.
                raise TooManyAttempts(1)
            self._running[key] = running + 1

    async def done(self, kind: str, network: str, *, failed: bool) -> None:
        """End an admitted attempt; count it if it failed."""
        limit = self.limits.get(kind)
        if limit is None or not limit.enabled:
            return
        key = (kind, network)
        if limit.count_in_flight:  # before any await: a cancelled request frees its place too
            running = self._running.pop(key, 1) - 1
            if running > 0:
                self._running[key] = running
        if failed:
            await self._count_failure(key, limit)

    async def _count_failure(self, key: tuple[str, str], limit: Limit) -> None:
        kind, network = key
        now = self._clock()
        window = int(now // limit.window_seconds)
        ends = float((window + 1) * limit.window_seconds)
        count = await self.counter.add(f"{kind}:{window}:{network}", now=now, expires_at=ends)
        known = self._known.get(key)
        before = known[1] if known is not None and known[0] == window else 0
        # Concurrent failures' answers may arrive out of order: the highest count is the latest.
        self._known[key] = (window, max(before, count))
        self._known.move_to_end(key)
        while len(self._known) > self._max_tracked:
            self._known.popitem(last=False)
        if before < limit.failures <= count:
            log.info(
                "throttling failed attempts",
                extra={"kind": kind, "network": network, "seconds": round(ends - now)},
            )

    async def close(self) -> None:
        await self.counter.close()
