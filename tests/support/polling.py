"""Waiting for what another process (or a server's task) does, bounded in time: the condition
is polled, not slept on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tests.support.live import WAIT_SECONDS

POLL_SECONDS = 0.02


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float = WAIT_SECONDS
) -> None:
    """Return once `condition()` holds; fail the test if it does not within `within` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"not so within {within:g} s")
        await asyncio.sleep(POLL_SECONDS)
