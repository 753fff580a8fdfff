"""The operator queries on game_round (GET /v1/rounds, the daily report, the retention purge) at
millions of rounds, their plans and times: bench/round_queries.md.

Usage: .venv/bin/python -m bench.round_queries [--rounds 5000000] [--in-place] [--keep]"""

# ruff: noqa: S608 -- SQL assembled from this module's own constants and numbers, never input.
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast
from unittest.mock import AsyncMock, MagicMock

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

from portero.delivery import repository as deliveries
from portero.migrate import upgrade
from portero.rounds import repository as rounds
from portero.rounds.models import OPEN_STATUSES

HOST, PORT, USER, DATABASE = "127.0.0.1", 5432, "postgres", "portero_round_queries"
RUNS, DIALECT = 5, pg_asyncpg.dialect()  # type: ignore[no-untyped-call]  # 5 runs, after 1
PARTNERS, PLAYERS, DAYS, CHUNK, RETENTION_DAYS, DELIVERY_DAYS = 20, 200_000, 120, 10**6, 90, 7
BIG_SHARE = 0.40  # partner 1's share of the rounds; the other 19 share the rest by 1/k^0.8
GAME_IDS = "roulette monaco-nights jade-ways fruit-royale aztec-gold lucky-sevens dragon-pearl"
GAMES = [("slot" if i else "roulette", g, w) for i, (g, w) in enumerate(zip(  # 4 real, 6 more
    f"{GAME_IDS} viking-run star-burst neon-nights".split(), [26, 20, 14, 12, 8, 7, 5, 4, 3, 1],
    strict=True))]  # (product, game id, share)  # fmt: skip
MODES = ["transfer", "seamless", "demo", "seamless", "transfer"]  # partner p's: [p % 5]
CURRENCIES = ["EUR", "EUR", "BRL", "USD", "EUR", "GBP", "CAD"]  # partner p's: [p % 7]
ROULETTE = {"bets": [{"kind": "straight", "numbers": [17], "amount": 100}], "number": 17,
            "server_seed": "ab" * 32, "client_seed": "cd" * 8, "nonce": 123456}  # fmt: skip
SLOT = {"credit_value": 1, "base": {"stops": [5, 17, 3, 22, 9], "window": [["A", "K", "Q"]] * 5,
        "multiplier": 1, "wins": [], "amount": 0}, "free_spins": []}  # fmt: skip
CANCELLED = "page: partner 7 (3 %), status cancelled, no window"
REPORT = ["report: totals", "report: distinct_players by game", "report: distinct_players"]
FIXES = [  # tried on the scratch database: (label, SQL making it, SQL undoing it, its shapes)
    ("a partial index of the cancelled rounds", "CREATE INDEX ix_fix_cancelled ON game_round "
     "(partner_id, created_at, id) WHERE status = 'cancelled'", "DROP INDEX ix_fix_cancelled",
     ["page: status cancelled, no window", CANCELLED]),
    ("a covering index for the report", "CREATE INDEX ix_fix_report ON game_round (partner_id, "
     "created_at) INCLUDE (game_id, currency, status, stake, payout, player_id)", "", REPORT),
    ("that index, vacuumed", "VACUUM game_round", "DROP INDEX ix_fix_report", REPORT),
]  # fmt: skip
Shape = tuple[str, ClauseElement]
Call = Callable[[AsyncSession], Awaitable[object]]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def array(values: list[Any], of: str) -> str:
    return f"(ARRAY[{', '.join(repr(v) for v in values)}]::{of}[])"


def buckets(weights: list[float]) -> str:
    """width_bucket(random(), this) is i (from 1) with probability weights[i - 1]."""
    return array([round(sum(weights[:i]) / sum(weights), 6) for i in range(len(weights))], "float8")


REST = [1 / k**0.8 for k in range(1, PARTNERS)]
SHARES = [BIG_SHARE] + [(1 - BIG_SHARE) * w / sum(REST) for w in REST]
COUNTS = [max(200, round(PLAYERS * share)) for share in SHARES]  # players, by share of rounds
STARTS = [1 + sum(COUNTS[:i]) for i in range(PARTNERS)]  # partner p's: [STARTS[p], +COUNTS[p])
DIGITS = "'0123456789abcdefghjkmnpqrstvwxyz'"  # the millisecond in base 32, as kit/ids.py has it
B32 = " || ".join(f"substr({DIGITS}, ((ms >> {5 * i}) & 31)::int + 1, 1)" for i in range(9, -1, -1))
SETUP = f"""
CREATE FUNCTION bench_b32(ms bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT {B32} $$;
CREATE FUNCTION bench_id(prefix text, ms bigint, h bytea) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT prefix || '_' || bench_b32(ms) || substr(encode(h, 'hex'), 33, 16) $$;
CREATE FUNCTION bench_ms(at timestamptz) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT floor(extract(epoch FROM at) * 1000)::bigint $$;
ALTER TABLE game_round SET (autovacuum_enabled = off);
ALTER TABLE delivery SET (autovacuum_enabled = off);
INSERT INTO partner (id, name, status, created_at, is_demo, products, default_language,
    default_currency, launch_ttl_seconds, session_idle_seconds, frame_ancestors, wallet_mode)
SELECT p, 'Partner ' || p, 'active', :start, false, '["roulette","slot"]', 'en',
    {array(CURRENCIES, "text")}[1 + p % 7], 3600, 1800, '[]', {array(MODES, "text")}[1 + p % 5]
FROM generate_series(1, {PARTNERS}) p;
INSERT INTO player (id, partner_id, external_id, created_at, updated_at)
SELECT i, width_bucket(i, {array(STARTS, "int")}), 'user-' || lpad(i::text, 8, '0'), :start,
    :start FROM generate_series(1, {sum(COUNTS)}) i;
INSERT INTO launch (id, partner_id, player_id, product, params, source, token_shape, token_nonce,
    token_hash, status, language, currency, session_idle_seconds, created_at, expires_at)
SELECT 'lnch_' || bench_b32(0) || lpad(to_hex(id), 16, '0'), partner_id, id, 'slot', '{{}}',
    'native', 'urlsafe', sha256(('n' || id)::bytea), sha256(('h' || id)::bytea), 'opened', 'en',
    'EUR', 1800, :start, :start + interval '1 hour' FROM player"""
# Round n of :total at :start + s(n) (the rate triples over the days), its id in that order.
ROUNDS = f"""
INSERT INTO game_round (id, partner_id, player_id, launch_id, product, game_id, request_id,
    request_hash, currency, wallet_mode, status, stake, payout, balance_after, outcome,
    wallet_status, note, created_at, updated_at, settled_at)
SELECT bench_id('rnd', ms, h), p, pl, 'lnch_' || bench_b32(0) || lpad(to_hex(pl), 16, '0'),
    {array([g[0] for g in GAMES], "text")}[g], {array([g[1] for g in GAMES], "text")}[g],
    encode(substr(h, 1, 16), 'hex'), h,
    CASE WHEN p = 1 AND pl % 5 = 0 THEN 'USD' ELSE {array(CURRENCIES, "text")}[1 + p % 7] END,
    mode, st, stake, CASE WHEN st IN ('settled', 'crediting', 'failed') THEN payout END,
    CASE WHEN st <> 'cancelled' THEN 50000 + get_byte(h, 3) * 700 END,
    CASE WHEN st IN ('cancelled', 'debiting', 'debit_unknown') THEN NULL WHEN g = 1
        THEN {json.dumps(ROULETTE)!r} ELSE {json.dumps(SLOT)!r} END::json,
    CASE WHEN mode = 'seamless' THEN 'OK' END, NULL, at, at + interval '35 ms',
    CASE WHEN st IN ('settled', 'cancelled') THEN at + interval '35 ms' END
FROM (SELECT n, at, ms, p, h, g, stake, {array(MODES, "text")}[1 + p % 5] AS mode,
    {array(STARTS, "int")}[p] + floor({array(COUNTS, "int")}[p] * rp ^ 2.5)::int AS pl,
    CASE WHEN rw < 0.5 THEN 0 ELSE round(stake * 7.68 * (rw - 0.5)) END AS payout,
    CASE WHEN rs < 0.9748 THEN 'settled' WHEN rs < 0.9998 THEN 'cancelled'
        WHEN at < :end - interval '1 hour' THEN 'failed' ELSE
        {array([str(s) for s in OPEN_STATUSES], "text")}[1 + floor((rs - 0.9998) * 2e4)::int % 4]
    END AS st
FROM (SELECT n, :start + s * interval '1 second' AS at, h, random() AS rp,
    :start_ms + floor(s * 1000)::bigint AS ms, random() AS rs, random() AS rw,
    width_bucket(random(), {buckets(SHARES)}) AS p,
    width_bucket(random(), {buckets([g[2] for g in GAMES])}) AS g,
    (ARRAY[10, 20, 50, 100, 200, 500, 1000, 2000])[1 + floor(random() ^ 2 * 8)::int] AS stake
    FROM generate_series(:lo, :hi - 1) n, sha256(n::text::bytea) h,
    LATERAL (SELECT (sqrt(1 + 8 * n / :total::float8) - 1) / 2 * :seconds AS s) t) a) b"""
DELIVERIES = """
INSERT INTO delivery (id, partner_id, kind, subject_id, payload, status, attempts,
    next_attempt_at, created_at, updated_at, completed_at)
SELECT bench_id('dlv', bench_ms(at), h), partner_id, 'wallet.' || method, id, json_build_object(
    'method', method, 'user_id', 'user-' || lpad(player_id::text, 8, '0'), 'currency', currency,
    'game', json_build_object('id', id, 'type', product, 'table_id', game_id), 'transaction_id',
    bench_id('wtx', bench_ms(at), h), 'amount', to_char(amount / 100.0, 'FM9999990.00')), state,
    1, at, at, at, CASE WHEN state <> 'pending' THEN at END
FROM (SELECT r.*, k.method, r.created_at + k.lag AS at, sha256((r.id || k.method)::bytea) AS h,
    CASE k.method WHEN 'debit' THEN stake ELSE payout END AS amount, CASE WHEN r.status IN
        ('debiting', 'debit_unknown', 'crediting') THEN 'pending' WHEN method = 'credit'
        AND r.status = 'failed' THEN 'failed' ELSE 'done' END AS state
    FROM game_round r, (VALUES ('debit', interval '0'), ('credit', '30 ms')) AS k(method, lag)
    WHERE r.wallet_mode = 'seamless' AND r.created_at >= :since
        AND (k.method = 'debit' OR r.status IN ('settled', 'failed', 'crediting'))) d"""
UNIQUES = "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'u'"
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE indexname <> 'pk_game_round'"


def bind(sql: str, **values: object) -> str:
    for name, value in sorted(values.items(), key=lambda item: -len(item[0])):
        text = f"'{value}'::timestamptz" if isinstance(value, datetime) else str(value)
        sql = sql.replace(f":{name}", text)
    return sql


async def timed(conn: asyncpg.Connection, took: list[str], step: str, *sql: str) -> None:
    began = time.perf_counter()
    for statement in sql:
        await conn.execute(statement)
    took.append(f"| {step} | {time.perf_counter() - began:,.0f} |")
    say(f"  {step}: {time.perf_counter() - began:,.0f} s")


async def without_indexes(conn: asyncpg.Connection) -> list[str]:
    """Drops game_round's secondary indexes and unique constraints: the DDL making them again."""
    uniques = await conn.fetch(f"{UNIQUES} AND conrelid = 'game_round'::regclass")
    for name, _ in uniques:
        await conn.execute(f"ALTER TABLE game_round DROP CONSTRAINT {name}")
    indexes = await conn.fetch(f"{INDEXES} AND tablename = 'game_round'")
    await conn.execute("; ".join(f"DROP INDEX {name}" for name, _ in indexes))
    return [f"ALTER TABLE game_round ADD CONSTRAINT {n} {d}" for n, d in uniques] + [
        d for _, d in indexes]  # fmt: skip


async def generate(conn: asyncpg.Connection, total: int, in_place: bool) -> list[str]:
    """The data, and how long each step took. One VACUUM, at the last million at or below 90 %:
    the newest rounds stay unvacuumed, as insert-driven autovacuum (a fifth) leaves them."""
    end, took = datetime.now(UTC).replace(microsecond=0), list[str]()
    start, since = end - timedelta(days=DAYS), end - timedelta(days=DELIVERY_DAYS)
    await conn.execute("SET synchronous_commit = off; SET session_replication_role = replica")
    await timed(conn, took, "partners, players, launches", bind(SETUP, start=start))
    await conn.execute("SET maintenance_work_mem = '1GB'")
    rebuild, began = [] if in_place else await without_indexes(conn), time.perf_counter()
    sql = bind(ROUNDS, start=start, end=end, total=total, seconds=(end - start).total_seconds(),
               start_ms=int(start.timestamp() * 1000))  # fmt: skip
    for lo in range(0, total, CHUNK):
        hi = min(lo + CHUNK, total)
        await conn.execute(bind(sql, lo=lo, hi=hi))
        say(f"  rounds {hi:,}/{total:,}: {time.perf_counter() - began:,.0f} s")
        if hi == max(CHUNK, int(total * 0.9) // CHUNK * CHUNK) < total:
            await conn.execute("VACUUM game_round")
    took.append(f"| {total:,} rounds | {time.perf_counter() - began:,.0f} |")
    if rebuild:
        await timed(conn, took, f"its {len(rebuild)} secondary indexes, built", *rebuild)
    await timed(conn, took, f"deliveries, {DELIVERY_DAYS} days", bind(DELIVERIES, since=since))
    await timed(conn, took, "ANALYZE", "ANALYZE")
    return took


async def sent_by(name: str, call: Call) -> list[Shape]:
    """The statements a repository function sends, to a session that answers no rows."""
    sent = AsyncMock(return_value=MagicMock())
    await call(cast(AsyncSession, MagicMock(execute=sent, scalars=sent, scalar=sent)))
    calls = sent.call_args_list
    return [(name + f" {i + 1}/{len(calls)}" * (len(calls) > 1), c.args[0])
            for i, c in enumerate(calls)]  # fmt: skip


async def shapes(conn: asyncpg.Connection) -> tuple[list[Shape], int, date]:
    """Every query shape as the repository functions build it; partner 1's heavy player, a day."""
    end = await conn.fetchval("SELECT max(created_at) FROM game_round") + timedelta(seconds=1)
    heavy = await conn.fetchval("SELECT player_id FROM game_round WHERE partner_id = 1 AND "
                                "created_at >= $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                                end - timedelta(days=1))  # fmt: skip
    cursor = tuple(await conn.fetchrow(  # a round twelve hours deep into the last day
        "SELECT created_at, id FROM game_round WHERE partner_id = 1 AND created_at < $1"
        " ORDER BY created_at DESC, id DESC LIMIT 1", end - timedelta(hours=12)))  # fmt: skip
    day = rounds.RoundFilter(1, created_gte=end - timedelta(days=1), created_lt=end)
    lo, anytime = datetime.combine(end.date(), datetime.min.time(), UTC), rounds.RoundFilter(1)
    lo -= timedelta(days=1)  # the last full UTC day, the busiest (the rate grows): the report's
    report = rounds.RoundFilter(1, created_gte=lo, created_lt=lo + timedelta(days=1))
    settled, before = replace(report, statuses=("settled",)), end - timedelta(RETENTION_DAYS)
    pages = [
        ("24 h, limit 20", day, 20, None), ("24 h", day, 100, None),
        ("24 h, after a cursor 12 h deep", day, 100, cursor), ("no window", anytime, 100, None),
        ("heavy player, 24 h", replace(day, player_key=heavy), 100, None),
        ("heavy player, no window", replace(anytime, player_key=heavy), 100, None),
        ("product roulette, 24 h", replace(day, product="roulette"), 100, None),
        (f"game {GAMES[-1][1]} (1 %), 24 h", replace(day, game_id=GAMES[-1][1]), 100, None),
        ("status open, no window", replace(anytime, statuses=tuple(OPEN_STATUSES)), 100, None),
        ("status failed, no window", replace(anytime, statuses=("failed",)), 100, None),
        ("status cancelled, 24 h", replace(day, statuses=("cancelled",)), 100, None),
        ("status cancelled, no window", replace(anytime, statuses=("cancelled",)), 100, None),
        (CANCELLED[6:], rounds.RoundFilter(7, statuses=("cancelled",)), 100, None),
        ("partner 20 (1 %), 24 h", replace(day, partner_id=20), 100, None),
    ]  # fmt: skip
    page, purge = list[str](), list[str]()  # a page of 100 of partner 1's, a purge batch: below
    calls: list[tuple[str, Call]] = [
        (f"page: {s}", partial(rounds.page, wanted=w, limit=n, after=a)) for s, w, n, a in pages
    ] + [
        ("position_of", partial(rounds.position_of, partner_id=1, round_id=cursor[1])),
        ("of_subjects: 100 rounds", partial(deliveries.of_subjects, partner_id=1,
                                            subject_ids=page, kind_prefix="wallet.")),
        ("report: totals", partial(rounds.totals, wanted=report)),
        ("report: failed_wallet_calls", partial(rounds.failed_wallet_calls, wanted=report)),
        (REPORT[1], partial(rounds.distinct_players, wanted=settled, by_game=True)),
        (REPORT[2], partial(rounds.distinct_players, wanted=settled, by_game=False)),
        ("purge: purgeable (1000)", partial(rounds.purgeable, before=before, limit=1000)),
        ("purge: count_purgeable", partial(rounds.count_purgeable, before=before)),
        ("purge: delete_of_subjects", partial(deliveries.delete_of_subjects, subject_ids=purge)),
        ("purge: delete_rounds (1000)", partial(rounds.delete_rounds, round_ids=purge)),
    ]  # fmt: skip
    found = dict([shape for name, call in calls[:-2] for shape in await sent_by(name, call)])
    page += [row["id"] for row in await conn.fetch(literal(found["page: 24 h"]))][:100]
    purge += [row[0] for row in await conn.fetch(literal(found["purge: purgeable (1000)"]))]
    return [shape for name, call in calls for shape in await sent_by(name, call)], heavy, lo.date()


def literal(statement: ClauseElement) -> str:
    """As SQLAlchemy's asyncpg dialect compiles it, the values inlined (a custom plan)."""
    return str(statement.compile(dialect=DIALECT, compile_kwargs={"literal_binds": True}))


def nodes(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for plan in plans for n in [plan, *nodes(plan.get("Plans", []))]]


def summary(plan: dict[str, Any]) -> str:
    """The top nodes down to the first scan or join, then each scan with its index."""
    chain = [plan]
    while chain[-1].get("Plans") and not {"Relation Name", "Join Type"} & chain[-1].keys():
        chain.append(chain[-1]["Plans"][0])
    scans = [
        f"{n['Relation Name']}: {n['Node Type'].replace(' Scan', '')}"
        + " backward" * (n.get("Scan Direction") == "Backward")
        + (f" {n['Index Name']}" if "Index Name" in n else "")
        + (f" ({n['Heap Fetches']:,} heap fetches)" if n.get("Heap Fetches") else "")
        for n in nodes([plan]) if "Relation Name" in n and n["Node Type"] != "ModifyTable"
    ]  # fmt: skip
    return " > ".join(n["Node Type"] for n in chain) + "; " + "; ".join(scans)


async def measure(conn: asyncpg.Connection, name: str, statement: ClauseElement) -> str:
    """Its line of the table: the last plan, the median of RUNS warm runs (each rolled back)."""
    times, sql = [], f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {literal(statement)}"
    for _ in range(RUNS + 1):
        transaction = conn.transaction()  # rolled back: the deletes too
        await transaction.start()
        doc = json.loads(await conn.fetchval(sql))[0]
        await transaction.rollback()
        times.append(doc["Execution Time"])
    top, ms = doc["Plan"], statistics.median(times[1:])
    buffers = f"{top.get('Shared Hit Blocks', 0):,} hit, {top.get('Shared Read Blocks', 0):,} read"
    say(f"  {name}: {ms:.2f} ms ({summary(top)})")
    return f"| {name} | {summary(top)} | {top['Actual Rows']:,} | {buffers} | {ms:.2f} |"


async def fixes(conn: asyncpg.Connection, found: list[Shape]) -> list[str]:
    """Each of FIXES made, its shapes measured again, then undone (a VACUUM stays done)."""
    lines, by_name, size = [], dict(found), "SELECT pg_indexes_size('game_round')"
    for label, make, undo, names in FIXES:
        before, began = await conn.fetchval(size), time.perf_counter()
        await conn.execute(make)
        await conn.execute("ANALYZE game_round")
        grown, spent = mb(await conn.fetchval(size) - before), time.perf_counter() - began
        lines += [await measure(conn, f"{name}, **with {label}** (+{grown}, {spent:.0f} s)",
                                by_name[name]) for name in names]  # fmt: skip
        await conn.execute(undo or "SELECT 1")
    return lines


def mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 1024:,.0f} kB"


async def sizes(conn: asyncpg.Connection) -> list[str]:
    found = await conn.fetch(
        "SELECT relname, relkind = 'r', pg_relation_size(oid), pg_indexes_size(oid) FROM pg_class"
        " WHERE relname IN ('game_round', 'delivery', 'player', 'launch') OR oid IN (SELECT"
        " indexrelid FROM pg_index WHERE indrelid IN ('game_round'::regclass,"
        " 'delivery'::regclass)) ORDER BY 2 DESC, 3 DESC")  # fmt: skip
    return [f"| {name} | {await conn.fetchval(f'SELECT count(*) FROM {name}'):,} | {mb(heap)} | "
            f"{mb(indexes)} |" if table else f"| {name} | | | {mb(heap)} |"
            for name, table, heap, indexes in found]  # fmt: skip


async def head(conn: asyncpg.Connection, heavy: int, on: date) -> str:
    lo = datetime.combine(on, datetime.min.time(), UTC)
    total, big, rounds_of_heavy, day = await conn.fetchrow(
        "SELECT count(*), count(*) FILTER (WHERE partner_id = 1), count(*) FILTER (WHERE player_id"
        " = $1), count(*) FILTER (WHERE partner_id = 1 AND created_at >= $2 AND created_at < $3)"
        " FROM game_round", heavy, lo, lo + timedelta(days=1))  # fmt: skip
    settings = await conn.fetchval(
        "SELECT string_agg(name || ' ' || current_setting(name), ', ') FROM pg_settings"
        " WHERE name IN ('shared_buffers', 'work_mem', 'random_page_cost', 'jit')")  # fmt: skip
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"Generated by `bench/round_queries.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{os.cpu_count()} cores, {memory:.0f} GB, load average {os.getloadavg()[0]:.1f} (shared); "
        f"PostgreSQL {await conn.fetchval('SHOW server_version')} on it ({settings}).\n\n"
        f"{total:,} rounds, {DAYS} days, {PARTNERS} partners, {PLAYERS:,} players. Partner 1: "
        f"{big:,} ({big / total:.0%}), {day:,} on {lo:%Y-%m-%d} (the report's day); its "
        f"heaviest player (id {heavy}): {rounds_of_heavy:,}. 97.5 % settled, 2.5 % cancelled, "
        "0.02 % failed, open in the last hour only; partner 1 seamless, its wallet calls of the "
        f"last {DELIVERY_DAYS} days in delivery. One VACUUM at 90 % of the rounds or below (the "
        "newest unvacuumed, as insert-driven autovacuum leaves them), ANALYZE. Each shape: the SQL "
        "its repository function builds (SQLAlchemy's asyncpg dialect, values inlined) under "
        f"EXPLAIN (ANALYZE, BUFFERS), once to warm, then the median of {RUNS} runs."
    )  # fmt: skip


async def run(options: argparse.Namespace) -> str:
    conn = await asyncpg.connect(host=HOST, port=PORT, user=USER, database=DATABASE)
    try:
        await conn.execute("SET statement_timeout = '600s'")
        took = await generate(conn, options.rounds, options.in_place)
        found, heavy, today = await shapes(conn)
        lines = [await measure(conn, name, statement) for name, statement in found]
        lines += await fixes(conn, found)
        return "\n".join([
            "# Operator queries on game_round", "", await head(conn, heavy, today), "",
            "| shape | plan (top nodes; scans) | rows | buffers | median ms |",
            "| --- | --- | ---: | --- | ---: |", *lines, "", "## Generation", "",
            "| step | seconds |", "| --- | ---: |", *took, "", "## Sizes", "",
            "| relation | rows | table | indexes |", "| --- | ---: | ---: | ---: |",
            *await sizes(conn), "",
        ])  # fmt: skip
    finally:
        await conn.close()


async def admin(*sql: str) -> None:
    conn = await asyncpg.connect(host=HOST, port=PORT, user=USER, database="postgres")
    for statement in sql:
        await conn.execute(statement)
    await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5_000_000)
    parser.add_argument("--in-place", action="store_true", help="keep the indexes while loading")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "round_queries.md")
    options, drop = parser.parse_args(), f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
    try:
        asyncio.run(admin(drop, f"CREATE DATABASE {DATABASE}"))
        upgrade(f"postgresql+asyncpg://{USER}@{HOST}:{PORT}/{DATABASE}")
        report = asyncio.run(run(options))
    finally:
        if not options.keep:
            asyncio.run(admin(drop))
    print(report)
    options.output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
