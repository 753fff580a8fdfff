"""PostgreSQL rounds straight on the fast path (rounds/pg_ledger.py), and what they wrote, read
straight from the database."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from portero.http.runtime import Runtime
from portero.launches import pg_sessions
from portero.launches.opening import PlayContext
from portero.rounds import pg_ledger
from portero.rounds.games import PlayedRound
from tests.support.factories import PartnerFixture, create_launch, launch_body, open_link


async def connect(database_url: str) -> asyncpg.Connection:
    """A connection of the test's own, beside the server's pool."""
    return await asyncpg.connect(database_url.replace("+asyncpg", ""), timeout=5)


async def play_context(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, product: str,
    **params: Any,
) -> tuple[dict[str, str], PlayContext]:  # fmt: skip
    """A launch of `product` opened, and its session as the play API resumes it."""
    auth = await open_link(
        client, await create_launch(client, partner, launch_body(product, params=params))
    )
    assert runtime.pg_pool is not None
    token = auth["Authorization"].removeprefix("Bearer ")
    return auth, await pg_sessions.resume(runtime.pg_pool, token=token, wait_seconds=5)


async def play_fast(runtime: Runtime, context: PlayContext, game: Any) -> PlayedRound | None:
    assert runtime.pg_pool is not None
    return await pg_ledger.play(runtime.pg_pool, context, game, mode="demo", wait_seconds=5)


async def ledger_of(database_url: str, player_key: int) -> dict[str, Any]:
    """The player's balance, rounds and ledger entries, read straight from the database."""
    connection = await connect(database_url)
    try:
        balance = await connection.fetchval(
            "SELECT balance FROM wallet_account WHERE player_id = $1", player_key
        )
        rounds = await connection.fetch(
            "SELECT id, status, stake, payout, balance_after FROM game_round WHERE player_id = $1",
            player_key,
        )
        entries = await connection.fetch(
            "SELECT e.kind, e.amount, e.balance_after, e.reference FROM wallet_entry e "
            "JOIN wallet_account a ON a.id = e.account_id WHERE a.player_id = $1 ORDER BY e.id",
            player_key,
        )
    finally:
        await connection.close()
    return {"balance": balance, "rounds": [dict(r) for r in rounds], "entries": entries}


async def set_balance(database_url: str, player_key: int, balance: int) -> None:
    connection = await connect(database_url)
    try:
        await connection.execute(
            "UPDATE wallet_account SET balance = $2 WHERE player_id = $1", player_key, balance
        )
    finally:
        await connection.close()


async def until_waiting(database_url: str, count: int) -> None:
    """Until `count` statements of the test's database wait for a lock. Read on a connection
    of its own, outside any transaction: a transaction sees one snapshot of the statistics."""
    watcher = await connect(database_url)
    try:
        async with asyncio.timeout(10):
            while True:
                waiting = await watcher.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                if waiting >= count:
                    return
                await asyncio.sleep(0.01)  # PostgreSQL has no event to await for this
    finally:
        await watcher.close()
