"""`python -m portero_bench [options]`, which bench/run.sh runs with bench/ on the path."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import portero_bench

from .common import BENCH
from .main import run_benchmark


def parse_args() -> argparse.Namespace:
    # prog: the script people run (argparse would say "__main__.py" under `python -m`).
    parser = argparse.ArgumentParser(
        prog="run.sh", description=(portero_bench.__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--duration", type=float, default=10, help="timed run, s (10)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up per scenario, s (3)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--returning-players", type=int, default=100, help="(100)")
    parser.add_argument(
        "--links", type=int, default=0, help="links for the timed (c) run; 0: sized from (a)/(b)"
    )
    parser.add_argument("--log-level", default="WARNING", help="server log level (WARNING)")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument("--pg-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--pg-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also sample the server with py-spy in (b-new), (c), (e)",
    )
    parser.add_argument("--profile-seconds", type=float, default=10, help="(10)")
    parser.add_argument(
        "--readme", type=Path, default=BENCH / "README.md", help="report to (re)write"
    )
    return parser.parse_args()


def main() -> int:
    return run_benchmark(parse_args())


if __name__ == "__main__":
    sys.exit(main())
