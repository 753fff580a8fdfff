"""Paths, fixed settings and the progress lines shared by the benchmark's modules."""

from __future__ import annotations

import sys
from pathlib import Path

# This file is bench/portero_bench/common.py: bench/ is two levels up, the repository above it.
BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
LUA = BENCH / "lua"
BIN = Path(sys.executable).parent
PORTERO = BIN / "portero"
HOST = "127.0.0.1"
TARGET_RATIO = 0.33  # a launch path's ok/s over the baseline's
ROUND_TARGET_RATIO = 0.25  # a play path's
TARGET_P99_MS = 50.0
IDLE_SECONDS = 20.0  # idle PostgreSQL backends report their counts at least every 10 s
PROFILE_RATE = 100  # py-spy samples per second


def say(message: str) -> None:
    print(message, flush=True)


def step(number: int, total: int, message: str) -> None:
    say(f"[{number}/{total}] {message}")


def ensure_makedirs(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
