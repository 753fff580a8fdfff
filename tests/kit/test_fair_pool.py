"""The hot paths' pool (kit/pg_pool.py) on the real PostgreSQL: requests get connections in
the order they asked, a wait past its deadline fails without holding anything, and the turn
comes back with the connection."""

from __future__ import annotations

import asyncio

import pytest

from portero.kit.pg_pool import FairPool
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


async def test_in_order_and_bounded(postgres_url: str) -> None:
    pool = await FairPool.open(make_settings(postgres_url, db_pool_size=1))
    order: list[str] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with pool.acquire(wait_seconds=5) as connection:
            assert await connection.fetchval("SELECT 1") == 1
            holding.set()
            await release.wait()

    async def waiter(name: str) -> None:
        async with pool.acquire(wait_seconds=5) as connection:
            order.append(name)
            assert await connection.fetchval("SELECT 1") == 1

    try:
        held = asyncio.create_task(holder())
        await holding.wait()
        with pytest.raises(TimeoutError):  # the only connection is taken
            async with pool.acquire(wait_seconds=0.05):
                pass
        waiters = [asyncio.create_task(waiter(name)) for name in ("first", "second", "third")]
        await asyncio.sleep(0)  # one turn of the loop: each waiter queues, in this order
        release.set()
        await asyncio.gather(held, *waiters)
        assert order == ["first", "second", "third"]
        async with pool.acquire(wait_seconds=0.05) as connection:  # nothing left held
            assert await connection.fetchval("SELECT 2") == 2
    finally:
        await pool.close()
