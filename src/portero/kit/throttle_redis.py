"""Counting failed attempts in Redis, so that every process of a deployment counts together.

A window's count is one key, `<prefix>:<kind>:<window>:<network>`, raised with INCR and given
an expiry in the same MULTI (one round trip): the window number is part of the key, so the
expiry only collects ended windows and never decides when a window ends (the clock does).

Redis is a help here, not a dependency: when it cannot be reached, failures are counted in this
process instead (each process then applies the limit on its own) and one warning a minute is
logged; a request never fails because of it.
"""

from __future__ import annotations

import logging
import math

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from portero.kit.throttle import LocalCounter

log = logging.getLogger("portero.throttle")

KEY_PREFIX = "portero:throttle"
# A request that fails must not wait long for Redis: a broken Redis only costs the sharing.
_TIMEOUT_SECONDS = 0.5
# After a Redis error, count in process for this long before trying Redis again.
_RETRY_AFTER_SECONDS = 5.0
_WARN_EVERY_SECONDS = 60.0
# Processes' clocks differ a little: keep a window's key a little past its end.
_SLACK_SECONDS = 5


class RedisCounter:
    def __init__(self, client: redis.Redis, *, prefix: str = KEY_PREFIX) -> None:
        self._client = client
        self._prefix = prefix
        self._fallback = LocalCounter()
        self._redis_again_at = 0.0
        self._warn_again_at = 0.0

    @classmethod
    def from_url(cls, url: str, *, prefix: str = KEY_PREFIX) -> RedisCounter:
        client = redis.Redis.from_url(
            url,
            socket_timeout=_TIMEOUT_SECONDS,
            socket_connect_timeout=_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),  # no retries: a failure is counted in process instead
        )
        return cls(client, prefix=prefix)

    async def add(self, key: str, *, now: float, expires_at: float) -> int:
        if now >= self._redis_again_at:
            try:
                return await self._add(f"{self._prefix}:{key}", math.ceil(expires_at - now))
            except (redis.RedisError, OSError) as error:
                self._redis_again_at = now + _RETRY_AFTER_SECONDS
                self._warn(now, error)
        return await self._fallback.add(key, now=now, expires_at=expires_at)

    async def _add(self, key: str, seconds_left: int) -> int:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, max(1, seconds_left) + _SLACK_SECONDS)
            count, _ = await pipe.execute()
        return int(count)

    def _warn(self, now: float, error: Exception) -> None:
        if now < self._warn_again_at:
            return
        self._warn_again_at = now + _WARN_EVERY_SECONDS
        log.warning(
            "redis unreachable: failed attempts are counted per process for now",
            extra={"error": type(error).__name__},
        )

    async def close(self) -> None:
        await self._client.aclose()
