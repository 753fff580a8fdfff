"""What the throttling tests share: a clock moved by hand, the real Redis, unique key prefixes."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as redis
from fastapi import FastAPI

from portero.app import create_app
from portero.http.throttling import build_throttle
from portero.kit.throttle_redis import KEY_PREFIX
from portero.settings import Settings
from tests.conftest import PUBLIC_URL, REQUIRE_POSTGRES, running

REDIS_URL = os.environ.get("PORTERO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# A multiple of every window the tests use, so that a test starts at the start of a window.
WINDOW_START = 1_800_000_000.0


class HandClock:
    """Wall-clock seconds that move only when a test says so."""

    def __init__(self, now: float = WINDOW_START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def reachable_redis() -> str:
    """The test Redis's URL; skipped without one locally, a failure under CI."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (redis.ConnectionError, OSError) as error:
        if REQUIRE_POSTGRES:  # CI: the services are part of the machine
            pytest.fail(f"Redis is required here but unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    finally:
        await client.aclose()
    return REDIS_URL


def unique_prefix() -> str:
    """Redis keys of one test only: tests never see each other's counts."""
    return "portero:test:throttle:" + secrets.token_hex(6)


@contextlib.asynccontextmanager
async def started(
    settings: Settings, clock: HandClock, *, redis_prefix: str = KEY_PREFIX
) -> AsyncIterator[FastAPI]:
    """The application, its throttle on `clock` (and under `redis_prefix` when it counts in
    Redis) instead of the wall clock."""
    app = create_app(settings)
    async with running(app):
        throttle = build_throttle(settings, clock=clock, redis_prefix=redis_prefix)
        app.state.throttle = throttle
        try:
            yield app
        finally:
            await throttle.close()


def client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address` (the TCP peer the server sees)."""
    transport = httpx.ASGITransport(app=app, client=(address, 5555))
    return httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)
