"""Turns at a limited resource, first come first served, each wait bounded by a deadline.

What `asyncio.Semaphore` under `asyncio.timeout` does, for the hot paths' connection pool
(kit/pg_pool.py): there every request waits for a turn under load, and a timer per wait
(created, rescheduled, cancelled) cost about a twentieth of a request's CPU. Here one timer,
for the earliest deadline, serves every waiter.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Turns:
    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def waiting(self) -> int:
        """How many wait for a turn (cancelled or expired ones may linger until passed over)."""
        return sum(not turn.done() for _deadline, turn in self._waiting)

    def busy(self) -> bool:
        """Whether a newcomer would have to wait. A turn given back while anyone waits goes
        to them, never to the free ones, so free turns mean nobody is waiting."""
        return self._free == 0

    async def take(self, *, wait_seconds: float) -> None:
        """A turn, once every earlier waiter has had theirs; TimeoutError if none comes within
        `wait_seconds` (nothing is then held)."""
        if not self.busy():
            self._free -= 1
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        deadline = loop.time() + wait_seconds
        self._waiting.append((deadline, turn))
        if self._timer is None or deadline < self._timer.when():
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_at(deadline, self._expire)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self.give_back()  # handed over just as the waiter was cancelled
            raise

    def give_back(self) -> None:
        """The turn goes to the longest waiter still waiting, or back to the free ones."""
        while self._waiting:
            _deadline, turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1

    def _expire(self) -> None:
        """Every wait past its deadline ends with TimeoutError; then the timer is set for the
        earliest deadline left (waits come in deadline order when they share one length)."""
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        still: deque[tuple[float, asyncio.Future[None]]] = deque()
        for deadline, turn in self._waiting:
            if turn.done():
                continue
            if deadline <= now:
                turn.set_exception(TimeoutError("no turn came within the wait"))
            else:
                still.append((deadline, turn))
        self._waiting = still
        if still:
            self._timer = loop.call_at(min(deadline for deadline, _turn in still), self._expire)
