"""Messages between the pages of a call, across server processes.

Each process fans messages out to its own subscribers (the WebSockets it holds). With
`PORTERO_REDIS_URL` set, messages travel through Redis pub/sub instead, so that a customer and
an agent connected to different processes reach each other: each process keeps one Redis
subscription for all the channels its sockets listen to.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

import redis.asyncio as redis

log = logging.getLogger("portero.calls.bus")
_QUEUE_SIZE = 256
# Waits between attempts to reach Redis again after losing it (seconds): quick at first.
_RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1.0)
# How long a publish may wait for Redis before the sender is told to retry.
_PUBLISH_TIMEOUT_SECONDS = 2.0


class BusUnavailable(Exception):
    """A message could not be published (Redis unreachable): the sender may retry."""


class Subscription:
    """One socket's inbox: the messages of its channels, in order."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(_QUEUE_SIZE)
        self.channels: set[str] = set()

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        try:
            self.inbox.put_nowait((channel, message))
        except asyncio.QueueFull:  # a stuck socket: drop rather than grow without bound
            log.warning("dropping a message for a slow subscriber on %s", channel)

    async def get(self) -> tuple[str, dict[str, Any]]:
        return await self.inbox.get()


class LocalBus:
    """In-process fan-out: every process is its own world (one server, or tests)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self.deliver(channel, message)

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.deliver(channel, message)

    async def add(self, subscription: Subscription, channels: Iterable[str]) -> None:
        for channel in channels:
            first = not self._subscribers[channel]
            self._subscribers[channel].add(subscription)
            subscription.channels.add(channel)
            if first:
                await self._first_listener(channel)

    async def remove(self, subscription: Subscription, channels: Iterable[str]) -> None:
        for channel in list(channels):
            listeners = self._subscribers.get(channel)
            subscription.channels.discard(channel)
            if listeners is None:
                continue
            listeners.discard(subscription)
            if not listeners:
                del self._subscribers[channel]
                await self._last_listener_gone(channel)

    @contextlib.asynccontextmanager
    async def subscribe(self, channels: Iterable[str] = ()) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        await self.add(subscription, channels)
        try:
            yield subscription
        finally:
            await self.remove(subscription, list(subscription.channels))

    async def _first_listener(self, channel: str) -> None:
        """Hook for a bus that must subscribe upstream."""

    async def _last_listener_gone(self, channel: str) -> None:
        """Hook for a bus that must unsubscribe upstream."""

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def problem(self) -> str | None:
        """What keeps the bus from working right now, for /readyz; None when it works."""
        return None


class RedisBus(LocalBus):
    """Publishes through Redis; one pub/sub connection per process feeds the local fan-out.

    Redis may go away: a publish then raises BusUnavailable (the socket tells its sender to
    retry), the reader keeps trying to reconnect and subscribes again to every channel that
    has listeners here, and /readyz says the bus is degraded until it is back. Nothing needs a
    restart."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._client = redis.Redis.from_url(
            url, socket_timeout=_PUBLISH_TIMEOUT_SECONDS, socket_connect_timeout=1.0
        )
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self._wanted: set[str] = set()  # the channels with listeners in this process
        self._lost: str | None = None  # why Redis is unreachable, while it is

    async def start(self) -> None:
        await self._client.ping()  # refuse to start with an unreachable Redis
        # A pub/sub connection must listen to something before it can be read from.
        await self._pubsub.subscribe("portero:hello")
        self._reader = asyncio.create_task(self._read())

    def problem(self) -> str | None:
        return f"redis unreachable: {self._lost}" if self._lost else None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":"))
        # Twice: the first attempt after Redis came back may meet a pooled connection Redis
        # has closed; the second takes a fresh one.
        for attempt in (1, 2):
            try:
                await self._client.publish(channel, data)
            except (redis.RedisError, OSError) as error:
                if attempt == 2:
                    self._lost = type(error).__name__
                    raise BusUnavailable(str(error)) from error
            else:
                self._lost = None  # reachable again (the reader reports its own troubles)
                return

    async def _first_listener(self, channel: str) -> None:
        self._wanted.add(channel)
        with contextlib.suppress(redis.RedisError, OSError):  # the reader subscribes once back
            await self._pubsub.subscribe(channel)

    async def _last_listener_gone(self, channel: str) -> None:
        self._wanted.discard(channel)
        with contextlib.suppress(redis.RedisError, OSError):
            await self._pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        failures = 0
        while True:
            try:
                raw = await self._pubsub.get_message(timeout=1.0)
            except (redis.RedisError, OSError) as error:
                self._lost = type(error).__name__
                log.warning("redis pub/sub connection lost (%s); reconnecting", self._lost)
                await asyncio.sleep(_RECONNECT_DELAYS[min(failures, len(_RECONNECT_DELAYS) - 1)])
                failures += 1
                await self._resubscribe()
                continue
            failures = 0
            if raw is not None and raw.get("type") == "message":
                self._deliver_raw(raw)

    async def _resubscribe(self) -> None:
        """Connect again and listen to every channel that has listeners here."""
        try:
            await self._pubsub.subscribe("portero:hello", *sorted(self._wanted))
            await self._client.ping()
        except (redis.RedisError, OSError):
            return
        if self._lost:
            log.warning("redis is back; the call bus works again")
        self._lost = None
        # What was published meanwhile is lost: every page here reads its state again.
        for channel in sorted(self._wanted):
            self.deliver(channel, {"type": "refresh"})

    def _deliver_raw(self, raw: dict[str, Any]) -> None:
        channel = raw["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            message = json.loads(raw["data"])
        except (ValueError, RecursionError):
            return
        if isinstance(message, dict):
            self.deliver(channel, message)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        with contextlib.suppress(redis.RedisError, OSError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._client.aclose()


def create_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
