"""Throttling guesses over HTTP (the limiter itself is `kit/throttle.py`): the process's
throttle, made from the settings for the life of the server, and the guard an endpoint puts
around an attempt that a guesser would repeat.

    async with counting_failures(request, LINK_OPENINGS, LaunchNotFound):
        ...  # refused with TooManyAttempts while the caller's network is over the limit

The caller's address is the one left after the trusted-proxy rules (`http/deps.client_ip`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from fastapi import FastAPI
from starlette.requests import HTTPConnection, Request

from portero.http.deps import client_ip
from portero.http.runtime import Runtime
from portero.kit.throttle import (
    Clock,
    FailureCounter,
    Limit,
    LocalCounter,
    Throttle,
    TooManyAttempts,
    network_of,
)
from portero.kit.throttle_redis import KEY_PREFIX, RedisCounter
from portero.partners.errors import AuthenticationFailed
from portero.settings import Settings

# The kinds of attempt, each with its own limit (settings `throttle_<kind>_*`).
LINK_OPENINGS = "link"
PARTNER_AUTHENTICATIONS = "auth"


def build_throttle(
    settings: Settings, *, clock: Clock = time.time, redis_prefix: str = KEY_PREFIX
) -> Throttle:
    """Counting in Redis when `PORTERO_REDIS_URL` is set (every process together), otherwise in
    this process."""
    limits = {
        LINK_OPENINGS: Limit(
            settings.throttle_link_failures,
            settings.throttle_link_window_seconds,
            count_in_flight=True,  # nobody rightly opens many links at once from one network
        ),
        # A partner's servers may send many requests at once from one address: counting those
        # under way would refuse rightful ones, and a 256-bit token needs no such precision.
        PARTNER_AUTHENTICATIONS: Limit(
            settings.throttle_auth_failures, settings.throttle_auth_window_seconds
        ),
    }
    counter: FailureCounter = (
        RedisCounter.from_url(settings.redis_url, prefix=redis_prefix)
        if settings.redis_url
        else LocalCounter()
    )
    return Throttle(counter, limits, clock=clock)


@asynccontextmanager
async def throttling(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    """The service that keeps the process's throttle (see http/assembly.py)."""
    throttle = build_throttle(runtime.settings)
    app.state.throttle = throttle
    try:
        yield
    finally:
        await throttle.close()


def throttle_of(connection: HTTPConnection) -> Throttle:
    throttle: Throttle = connection.app.state.throttle
    return throttle


class _CountingFailures:
    """A class rather than @asynccontextmanager: it sits on the hot paths (opening a link,
    authenticating a partner), where a generator per request is measurable."""

    __slots__ = ("_failure", "_kind", "_network", "_throttle")

    def __init__(self, request: Request, kind: str, failure: type[BaseException]) -> None:
        self._throttle = throttle_of(request)
        self._kind = kind
        self._failure = failure
        self._network = network_of(client_ip(request))

    async def __aenter__(self) -> None:
        self._throttle.admit(self._kind, self._network)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Never swallows: the failure itself is still answered as it is.
        failed = exc_type is not None and issubclass(exc_type, self._failure)
        await self._throttle.done(self._kind, self._network, failed=failed)


def counting_failures(
    request: Request, kind: str, failure: type[BaseException]
) -> _CountingFailures:
    """Refuse the attempt while the caller's network is over the limit of `kind`; count it if it
    raises `failure`."""
    return _CountingFailures(request, kind, failure)


def counting_failed_authentications(request: Request) -> _CountingFailures:
    """Around a partner's authentication, whatever API it comes through: wrong, unknown or
    missing credentials count; a disabled partner's right token does not."""
    return counting_failures(request, PARTNER_AUTHENTICATIONS, AuthenticationFailed)


def retry_headers(error: TooManyAttempts) -> dict[str, str]:
    """For the APIs whose error renderers write their own headers (the seed dialects)."""
    return {"Retry-After": str(error.retry_after_seconds)}
