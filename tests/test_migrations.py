"""The migration that gave every game one round table keeps every round played before it
(roulette rounds and slot spins), with its money and outcome, on both databases."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from portero.migrate import upgrade
from tests.conftest import _create_scratch_database, _drop_database

BEFORE = "3f9c1e27a4b0"  # the last revision with roulette_round and slot_spin
AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    request.getfixturevalue("postgres_url")  # PostgreSQL is there (or the test is skipped)
    url, name = asyncio.run(_create_scratch_database())
    yield url
    asyncio.run(_drop_database(name))


def _rows() -> list[tuple[str, dict[str, Any]]]:
    common = {"launch_id": "lnch_1", "player_id": 1, "currency": "EUR", "created_at": AT}
    return [
        ("partner", {"id": 1, "name": "Old", "status": "active", "created_at": AT,
                     "is_demo": False, "products": "[]", "default_language": "en",
                     "default_currency": "EUR", "launch_ttl_seconds": 300,
                     "session_idle_seconds": 1800, "frame_ancestors": "[]"}),
        ("player", {"id": 1, "partner_id": 1, "external_id": "p1", "created_at": AT,
                    "updated_at": AT}),
        ("launch", {"id": "lnch_1", "partner_id": 1, "player_id": 1, "product": "roulette",
                    "params": "{}", "source": "native", "token_shape": "urlsafe",
                    "token_nonce": b"n" * 16, "token_hash": b"h" * 32, "status": "opened",
                    "language": "en", "currency": "EUR", "session_idle_seconds": 1800,
                    "created_at": AT, "expires_at": AT}),
        ("roulette_round", common | {"id": "rnd_old", "request_id": "r1",
                                     "request_hash": b"a" * 32,
                                     "bets": '[{"type": "red", "amount": 100}]',
                                     "total_stake": 100, "total_return": 200,
                                     "balance_after": 100_100, "number": 7,
                                     "server_seed": "s" * 64, "server_seed_hash": "h" * 64,
                                     "client_seed": "c", "nonce": 4}),
        ("slot_spin", common | {"id": "spn_old", "game_id": "monaco-nights", "request_id": "s1",
                                "request_hash": b"b" * 32, "credit_value": 5, "bet": 100,
                                "win": 0, "balance_after": 100_000,
                                "outcome": '{"base": {"stops": [1]}, "free_spins": []}'}),
    ]  # fmt: skip


async def _insert_old_rounds(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table, values in _rows():
                columns = ", ".join(values)
                marks = ", ".join(f":{name}" for name in values)
                statement = sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})")  # noqa: S608
                json_like = {"products", "frame_ancestors", "params", "bets", "outcome"}
                if url.startswith("postgresql"):
                    statement = statement.bindparams(
                        *(sa.bindparam(k, type_=sa.JSON) for k in values if k in json_like)
                    )
                    values = {k: json.loads(v) if k in json_like else v for k, v in values.items()}
                await connection.execute(statement, values)
    finally:
        await engine.dispose()


async def _game_rounds(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            table = sa.table(
                "game_round",
                *(sa.column(c) for c in ("id", "partner_id", "product", "game_id", "stake",
                                          "payout", "balance_after", "status", "wallet_mode")),
                sa.column("outcome", sa.JSON),
            )  # fmt: skip
            rows = (await connection.execute(sa.select(table))).mappings().all()
            tables = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return {"rounds": {row["id"]: dict(row) for row in rows}, "tables": set(tables)}


def test_rounds_played_before_become_settled_game_rounds(fresh_url: str) -> None:
    upgrade(fresh_url, BEFORE)
    asyncio.run(_insert_old_rounds(fresh_url))
    upgrade(fresh_url)
    found = asyncio.run(_game_rounds(fresh_url))
    assert {"roulette_round", "slot_spin"}.isdisjoint(found["tables"])
    roulette, slot = found["rounds"]["rnd_old"], found["rounds"]["spn_old"]
    assert {k: roulette[k] for k in ("partner_id", "product", "game_id", "stake", "payout")} == {
        "partner_id": 1,
        "product": "roulette",
        "game_id": "roulette",
        "stake": 100,
        "payout": 200,
    }
    assert (roulette["status"], roulette["wallet_mode"], roulette["balance_after"]) == (
        "settled",
        "demo",
        100_100,
    )
    assert roulette["outcome"]["number"] == 7
    assert roulette["outcome"]["fairness"] == {
        "server_seed": "s" * 64,
        "server_seed_hash": "h" * 64,
        "client_seed": "c",
        "nonce": 4,
    }
    assert (slot["product"], slot["game_id"], slot["stake"], slot["payout"]) == (
        "slot",
        "monaco-nights",
        100,
        0,
    )
    assert slot["outcome"] == {"credit_value": 5, "base": {"stops": [1]}, "free_spins": []}
