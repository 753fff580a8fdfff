"""Prometheus metrics. With several worker processes, set PROMETHEUS_MULTIPROC_DIR (the `serve`
command does) so that /metrics sums every process."""

from __future__ import annotations

import os
from functools import partial

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import after_commit

HTTP_REQUESTS = Counter(
    "portero_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "portero_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
LAUNCHES_CREATED = Counter(
    "portero_launches_created_total", "Launches created", ["partner", "product"]
)
LAUNCHES_OPENED = Counter(
    "portero_launches_opened_total", "Launch links opened", ["partner", "product"]
)
LAUNCHES_EXPIRED = Counter(
    "portero_launches_expired_total", "Launches that expired unopened", ["partner", "product"]
)
GAME_ROUNDS = Counter(
    "portero_game_rounds_total", "Game rounds settled", ["partner", "game", "currency"]
)
GAME_STAKED = Counter(
    "portero_game_staked_minor_total",
    "Stakes taken by settled rounds, in minor units of the currency",
    ["partner", "game", "currency"],
)
GAME_RETURNED = Counter(
    "portero_game_returned_minor_total",
    "Returns paid by settled rounds (stake back plus winnings), in minor units",
    ["partner", "game", "currency"],
)

# Calls to partners' wallets (docs/wallets.md): by One Wallet method and by what came back (the
# wallet's status, or timeout / connection / http_5xx / unparsable when nothing usable did).
WALLET_CALLS = Counter(
    "portero_wallet_calls_total", "Calls to partners' seamless wallets", ["method", "outcome"]
)
WALLET_CALL_SECONDS = Histogram(
    "portero_wallet_call_duration_seconds",
    "Time a partner's wallet took to answer (or to time out)",
    ["method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
# Read from the database by each process's delivery engine (every process reports the same
# figure: the maximum is the one to read).
DELIVERIES = Gauge(
    "portero_deliveries",
    "Calls to partners still to be delivered (pending) or given up (failed), by kind",
    ["kind", "status"],
    multiprocess_mode="max",
)
# The call desk, read from the database by each process's call clock (calls/desk_gauges.py);
# the live processes' maximum, so that a process gone does not leave its last figures behind.
DESK_WAITING = Gauge(
    "portero_desk_calls_waiting",
    "Customers waiting for an agent (or ringing), by partner and category",
    ["partner", "category"],
    multiprocess_mode="livemax",
)
DESK_LONGEST_WAIT = Gauge(
    "portero_desk_longest_wait_seconds",
    "How long the longest-waiting customer has waited, by partner and category",
    ["partner", "category"],
    multiprocess_mode="livemax",
)
DESK_IN_PROGRESS = Gauge(
    "portero_desk_calls_in_progress",
    "Calls connected now, by partner and category",
    ["partner", "category"],
    multiprocess_mode="livemax",
)
DESK_AGENTS = Gauge(
    "portero_desk_agents",
    "Agents by presence (available, busy, offline), by partner",
    ["partner", "presence"],
    multiprocess_mode="livemax",
)
DELIVERY_ATTEMPTS = Counter(
    "portero_delivery_attempts_total",
    "Tries of calls to partners, by kind and by what came of them",
    ["kind", "result"],
)


def count_round(partner: int, game: str, currency: str, *, staked: int, returned: int) -> None:
    labels = (str(partner), game, currency)
    GAME_ROUNDS.labels(*labels).inc()
    GAME_STAKED.labels(*labels).inc(staked)
    GAME_RETURNED.labels(*labels).inc(returned)


def count_round_once_committed(
    session: AsyncSession, partner: int, game: str, currency: str, *, staked: int, returned: int
) -> None:
    """A game round's counters, counted when (and only if) its transaction commits."""
    after_commit(
        session,
        partial(count_round, partner, game, currency, staked=staked, returned=returned),
    )


# Looking up a labelled child costs as much as the rest of the bookkeeping: keep them.
_request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    children = _request_children.get(key)
    if children is None:
        children = (
            HTTP_REQUESTS.labels(method, route, str(status)),
            HTTP_LATENCY.labels(method, route),
        )
        _request_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(DEFAULT_REGISTRY), CONTENT_TYPE_LATEST
