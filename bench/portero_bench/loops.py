"""The no-op on the standard asyncio event loop: a server of its own running the same code
as the server under test, to tell the event loop's share of (a)'s tail from the code's.

uvloop (the default, `portero serve --loop auto`) serves a saturated process's ready
connections unevenly: on this machine (a)'s p99 at 64 connections ran to 250-530 ms beside a
p50 of 20-30 ms, while the same process on asyncio's loop kept its p99 within a few
milliseconds of its p50. bench/README.md says what each loop costs on the other paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import HOST, say, step
from .cpu import CpuMeter
from .processes import free_port, second_server
from .report import LABELS
from .wrk import Wrk, brief

if TYPE_CHECKING:
    from .main import Bench


def noop_on_asyncio(bench: Bench, number: int) -> None:
    """(a) on a second server started with `--loop asyncio`, while the first one is idle."""
    options, out = bench.options, bench.out
    warm, timed = options.warmup, options.duration
    step(number, bench.steps, f"{LABELS['a-asyncio']}: {warm:g} s warm-up, {timed:g} s timed")
    port = free_port()
    env = bench.env | {"PORTERO_PUBLIC_URL": f"http://{HOST}:{port}"}
    log = out / "server-asyncio.log"
    with second_server(
        bench.children, env, port, log, "--no-migrate", "--loop", "asyncio"
    ) as server:
        wrk = Wrk(
            bench.wrk.binary, f"http://{HOST}:{port}", options.threads, options.connections,
            out, headers=(), cpu=CpuMeter(server.pid),
        )  # fmt: skip
        if warm > 0:
            wrk.run("a-asyncio-warmup", "healthz.lua", "/healthz", warm, expected=200)
        result = wrk.run("a-asyncio", "healthz.lua", "/healthz", timed, expected=200)
    bench.run.results["a-asyncio"] = result
    say(f"      {brief(result)}")
