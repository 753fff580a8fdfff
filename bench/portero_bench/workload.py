"""What the scenarios need created through the API first: play sessions for the slot spins,
links for (c), and how many links (c) needs."""

from __future__ import annotations

import asyncio
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from .report import Run

# What each game's launch asks for: the product and its params.
GAMES: dict[str, tuple[str, dict[str, str]]] = {
    "slot": ("slot", {"game_id": "monaco-nights"}),
    "roulette": ("roulette", {}),
}


async def create_play_sessions(
    base_url: str, token: str, count: int, *, game: str = "slot", prefix: str = "spinner"
) -> list[str]:
    """Open `count` launches of `game` (one player each, ids `prefix-N`) and return their
    play-session tokens."""
    product, params = GAMES[game]
    sessions = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        for index in range(count):
            body = {
                "product": product,
                "params": params,
                "player": {"id": f"{prefix}-{index}", "language": "en", "currency": "EUR"},
            }
            created = await client.post("/v1/launches", json=body, headers=headers)
            created.raise_for_status()
            opened = await client.get(created.json()["url"])
            sessions.append(opened.headers["location"].split("#session=", 1)[1])
    return sessions


@dataclass
class _LinkBatch:
    """The launches create_links is issuing: shared by its workers and its progress line."""

    count: int
    prefix: str
    headers: dict[str, str]
    tokens: list[str] = field(default_factory=list)
    failures: Counter[int] = field(default_factory=Counter)
    next_index: int = 0
    started: float = field(default_factory=time.monotonic)

    async def worker(self, client: httpx.AsyncClient) -> None:
        while self.next_index < self.count and sum(self.failures.values()) < 100:
            index = self.next_index
            self.next_index += 1
            response = await self._issue(client, index)
            if response is None:
                self.failures[0] += 1
                continue
            if response.status_code != 201:
                self.failures[response.status_code] += 1
                continue
            self.tokens.append(response.json()["url"].rsplit("/launch/", 1)[1])

    async def _issue(self, client: httpx.AsyncClient, index: int) -> httpx.Response | None:
        """One launch, tried up to three times; None if every try failed in transport."""
        body = {
            "product": "roulette",
            "player": {
                "id": f"{self.prefix}-{index}",
                "nickname": "n",
                "language": "en",
                "currency": "EUR",
            },
        }
        # The key makes a retry safe: a connection the server closed under a keep-alive
        # race answers the same launch on the second try instead of a second one.
        keyed = self.headers | {"Idempotency-Key": f"{self.prefix}-{index}"}
        for _attempt in range(3):
            try:
                return await client.post("/v1/launches", json=body, headers=keyed)
            except httpx.TransportError:
                continue
        return None

    async def progress(self) -> None:
        # In place on a terminal; a line every 5 s in a log.
        tty = sys.stdout.isatty()
        while True:
            await asyncio.sleep(1 if tty else 5)
            rate = len(self.tokens) / (time.monotonic() - self.started)
            line = f"      {len(self.tokens):>7}/{self.count} links  ({rate:.0f}/s)"
            print("\r" + line if tty else line, end="" if tty else "\n", flush=True)


async def create_links(base_url: str, token: str, count: int, prefix: str) -> list[str]:
    """Issue `count` launches through the API (concurrently) and return their link tokens."""
    batch = _LinkBatch(count, prefix, {"Authorization": f"Bearer {token}"})
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        reporter = asyncio.create_task(batch.progress())
        try:
            await asyncio.gather(*(batch.worker(client) for _ in range(32)))
        finally:
            reporter.cancel()
    elapsed = time.monotonic() - batch.started
    end = "\r" if sys.stdout.isatty() else ""
    print(f"{end}      {len(batch.tokens):>7}/{count} links in {elapsed:.0f} s", flush=True)
    if batch.failures:
        raise SystemExit(f"creating links failed: statuses {dict(batch.failures)}")
    return batch.tokens


def links_needed(run: Run, seconds: float, margin: float = 2.0) -> int:
    """Enough links for `seconds` of (c). Opening a link does strictly more than /healthz and
    in practice costs about as much as creating one: aim at `margin` times the best create
    rate, never above the baseline rate. `--links` fixes the number for the timed run instead.
    Too few links show as "ran out of links" in the results."""
    options = run.options
    if options.links:
        fixed: int = math.ceil(options.links * seconds / options.duration)
        return fixed
    best_create = max(run.results[k].ok_per_second for k in ("b-new", "b-returning", "b-keyed"))
    rate = min(margin * best_create, 1.1 * run.results["a"].ok_per_second)
    return max(1000, math.ceil(rate * seconds / 1000) * 1000)
