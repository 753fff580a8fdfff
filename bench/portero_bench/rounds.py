"""The play paths: a slot spin and a roulette round on the demo wallet, a slot spin on a
transfer wallet (PostgreSQL, the server under test), then a slot spin on SQLite (a second
server on a scratch file, alone on the machine); the server's resident memory after each."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .common import HOST, say, step
from .cpu import CpuMeter
from .processes import free_port, portero, second_server
from .workload import create_play_sessions
from .wrk import Wrk, brief

if TYPE_CHECKING:
    from .main import Bench

# Enough for every round of a long run at its stakes (20 cents, 3 euros).
CREDIT_EUR = "100000000"
CREDIT_MINOR = 10**12


def resident_mb(pid: int) -> float:
    """The process's resident set (VmRSS), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def play_rounds(bench: Bench, first_step: int) -> None:
    """(e), (f) and (g) on the server under test, each over its own players' sessions."""
    partner = bench.partner
    portero(bench.env, "partner", "terms", str(partner["id"]), "EUR", "--demo-credit", CREDIT_EUR)
    bench.run.memory["start"] = resident_mb(bench.server.pid)
    sessions = _sessions(bench, partner["token"], "slot", "spinner")
    _spin(bench, first_step, "e-slot", "slot_spin.lua", sessions)
    sessions = _sessions(bench, partner["token"], "roulette", "roulette")
    _spin(bench, first_step + 1, "f-roulette", "roulette_spin.lua", sessions)
    transfer = _transfer_partner(bench)
    sessions = _sessions(bench, transfer["token"], "slot", "depositor")
    asyncio.run(_deposit(bench.base_url, transfer["token"], "depositor", len(sessions)))
    _spin(bench, first_step + 2, "g-transfer", "slot_spin.lua", sessions)


def _sessions(bench: Bench, token: str, game: str, prefix: str) -> list[str]:
    # Two sessions per connection: each wrk thread walks a slice of its own (see the scripts).
    count = 2 * bench.options.connections
    return asyncio.run(create_play_sessions(bench.base_url, token, count, game=game, prefix=prefix))


def _spin(bench: Bench, number: int, key: str, script: str, sessions: list[str]) -> None:
    file = bench.out / f"sessions-{key}.txt"
    file.write_text("\n".join(sessions) + "\n")
    threads = str(bench.options.threads)
    bench.scenario(
        number, key, script, "/", 200, [str(file), threads, "warm"], [str(file), threads, "run"]
    )
    bench.run.memory[key] = resident_mb(bench.server.pid)


def _transfer_partner(bench: Bench) -> dict[str, Any]:
    partner: dict[str, Any] = json.loads(
        portero(bench.env, "partner", "create", "bench-transfer", "--json")
    )
    ident = str(partner["id"])
    portero(bench.env, "partner", "configure", ident, "--products", "slot", "--launch-ttl", "3600")
    portero(bench.env, "partner", "wallet", ident, "--mode", "transfer")
    return partner


async def _deposit(base_url: str, token: str, prefix: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10, headers=headers) as client:
        for index in range(count):
            body = {"transaction_id": f"bench-{index}", "currency": "EUR", "amount": CREDIT_MINOR}
            answer = await client.post(f"/v1/players/{prefix}-{index}/wallet/deposits", json=body)
            answer.raise_for_status()


def spin_on_sqlite(bench: Bench, number: int) -> None:
    """(h): the slot spin of (e) on the embedded default, a server of its own on a scratch
    SQLite file; run after the PostgreSQL server has gone quiet (it is idle, not stopped)."""
    options, out = bench.options, bench.out
    step(number, bench.steps, "(h) slot spin on SQLite: a second server on a scratch file")
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    env = bench.env | {
        "PORTERO_DATABASE_URL": f"sqlite+aiosqlite:///{out / 'sqlite-bench.db'}",
        "PORTERO_PUBLIC_URL": base_url,
    }
    portero(env, "migrate")
    partner: dict[str, Any] = json.loads(portero(env, "partner", "create", "lite", "--json"))
    ident = str(partner["id"])
    portero(env, "partner", "configure", ident, "--products", "slot", "--launch-ttl", "3600")
    portero(env, "partner", "terms", ident, "EUR", "--demo-credit", CREDIT_EUR)
    with second_server(bench.children, env, port, out / "server-sqlite.log") as server:
        count = 2 * options.connections
        sessions = asyncio.run(create_play_sessions(base_url, partner["token"], count))
        file = out / "sessions-h-sqlite.txt"
        file.write_text("\n".join(sessions) + "\n")
        wrk = Wrk(
            bench.wrk.binary, base_url, options.threads, options.connections, out,
            headers=(), cpu=CpuMeter(server.pid),
        )  # fmt: skip
        threads = str(options.threads)
        if options.warmup > 0:
            wrk.run(
                "h-sqlite-warmup", "slot_spin.lua", "/", options.warmup, str(file), threads,
                "warm", expected=200,
            )  # fmt: skip
        result = wrk.run(
            "h-sqlite", "slot_spin.lua", "/", options.duration, str(file), threads, "run",
            expected=200,
        )  # fmt: skip
        bench.run.results["h-sqlite"] = result
        bench.run.memory["h-sqlite"] = resident_mb(server.pid)
        say(f"      {brief(result)}")
