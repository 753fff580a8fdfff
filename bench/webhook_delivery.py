"""Webhook delivery on this machine: events recorded as the round path records them, delivered
by the delivery engine to a receiver in another process on loopback, on PostgreSQL. Prints
deliveries per second and the latency of each try (the receiver answers at once), then the
same where the receiver answers 500 to one request in five (the retries are made by moving
the engine's clock ahead, not by waiting). Writes bench/WEBHOOKS.md.

Usage: .venv/bin/python bench/webhook_delivery.py [--events 2000] [--batch 100]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portero.delivering import handlers
from portero.delivery.models import DeliveryAttempt
from portero.http.runtime import Runtime
from portero.kit.db import create_engine, session_scope
from portero.migrate import upgrade
from portero.partners import service as partners
from portero.settings import Settings
from portero.webhooks import endpoints, events

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "portero_webhook_bench"
TIME_BOUND_SECONDS = 120.0


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def serve_receiver(port: int, fail_every: int) -> None:
    """The receiver, in a process of its own (as a partner's server is): 200 at once, or 500
    to every `fail_every`-th request."""
    count = 0

    async def hook(request: Request) -> Response:
        nonlocal count
        await request.body()
        count += 1
        failing = fail_every and count % fail_every == 0
        return Response("no" if failing else "ok", status_code=500 if failing else 200)

    app = Starlette(routes=[Route("/hooks", hook, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                lifespan="off")  # fmt: skip


@contextmanager
def receiver(port: int, fail_every: int) -> Iterator[None]:
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(fail_every)])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


async def scratch_database() -> str:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
    await asyncio.to_thread(upgrade, url)
    return url


async def record_events(runtime: Runtime, partner_id: int, count: int) -> None:
    async def data() -> dict[str, str]:
        return {"id": "rnd_bench"}

    for _ in range(count):
        async with session_scope(runtime.sessions) as session:
            await events.record(session, partner_id=partner_id, event_type="round.settled",
                                data=data)  # fmt: skip


async def drain(runtime: Runtime, *, step_seconds: float) -> tuple[float, int]:
    """Engine passes until nothing is due; each pass `step_seconds` further ahead."""
    started, passes, ahead = time.perf_counter(), 0, 0.0
    while time.perf_counter() - started < TIME_BOUND_SECONDS:
        now = datetime.now(UTC) + timedelta(seconds=ahead)
        if not await runtime.deliveries.run_once(now=now):
            return time.perf_counter() - started, passes
        passes += 1
        ahead += step_seconds
    raise SystemExit("the deliveries did not drain within the time bound")


async def latencies(runtime: Runtime) -> list[int]:
    async with session_scope(runtime.sessions) as session:
        return list((await session.scalars(select(DeliveryAttempt.duration_ms))).all())


async def run(events_count: int, batch: int, fail_every: int, port: int) -> dict[str, float]:
    url = await scratch_database()
    settings = Settings(database_url=url, secret_key="b" * 40, allow_private_webhook_urls=True,
                        delivery_batch_size=batch, wallet_retry_jitter=0)  # fmt: skip
    engine = create_engine(settings)
    runtime = Runtime.create(settings, engine)
    try:
        async with session_scope(runtime.sessions) as session:
            partner, _token, _raw = await partners.create_partner(session, name="Bench")
            await endpoints.create(session, settings, partner_id=partner.id,
                                   url=f"http://127.0.0.1:{port}/hooks",
                                   enabled_events=["*"])  # fmt: skip
        say(f"recording {events_count} events…")
        await record_events(runtime, partner.id, events_count)
        async with handlers(runtime):
            with receiver(port, fail_every):
                say("delivering…")
                seconds, passes = await drain(runtime, step_seconds=301)
        tried = await latencies(runtime)
    finally:
        await engine.dispose()
    return {"seconds": seconds, "passes": passes, "tries": len(tried),
            "rate": events_count / seconds, "p50": statistics.median(tried),
            "p99": statistics.quantiles(tried, n=100)[98]}  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve_receiver(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("WEBHOOKS.md"))
    args = parser.parse_args()
    rows = []
    for label, fail_every in (("receiver answers 200", 0), ("one in five answered 500", 5)):
        found = asyncio.run(run(args.events, args.batch, fail_every, args.port))
        rows.append(
            f"| {label} | {args.events} | {found['tries']} | {found['rate']:.0f} "
            f"| {found['p50']:.1f} | {found['p99']:.1f} | {found['seconds']:.1f} |"
        )
        say(rows[-1])
    report = "\n".join([
        "# Webhook delivery", "",
        f"`bench/webhook_delivery.py` on {platform.node() or 'this machine'}, "
        f"{datetime.now(UTC):%Y-%m-%d}: PostgreSQL, one process, delivery batch {args.batch}, "
        "a receiver in another process on loopback. Deliveries per second count the events "
        "delivered over the time to drain them all (retries included); latencies are each "
        "try's.", "",
        "| run | events | tries | deliveries/s | try p50 ms | try p99 ms | drain s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, "",
    ])  # fmt: skip
    args.output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
