"""What the call product keeps for the life of a process: the bus that carries messages between
the pages of a call, and the clock (the dispatcher) that rings offers out and routes the queue."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from portero.blobs.store import BlobStore, create_store
from portero.calls.bus import BusUnavailable, LocalBus, create_bus
from portero.calls.dispatcher import Dispatcher
from portero.calls.outbox import Outbox
from portero.calls.timings import CallTimings
from portero.calls.transcripts import TranscriptWriter
from portero.http.runtime import Runtime, runtime_of
from portero.kit.db import session_scope

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class CallRuntime:
    bus: LocalBus
    timings: CallTimings
    # Where the sockets hand the chat they relay, to be kept with the call.
    transcripts: TranscriptWriter
    # Where the files sent in the chat are kept (blobs/).
    files: BlobStore
    # None when the clock does not run on its own (`call_tick_seconds` 0: tests move it).
    dispatcher: Dispatcher | None = None

    def nudge(self) -> None:
        """An agent may have room for the next caller: route now rather than on the tick."""
        if self.dispatcher is not None:
            self.dispatcher.nudge()


@asynccontextmanager
async def serve_calls(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    """The bus (refusing to start with an unreachable Redis) and, if configured, the clock."""
    settings = runtime.settings
    timings = CallTimings.of(settings)
    bus = create_bus(settings.redis_url)
    await bus.start()
    runtime.probes["call_bus"] = bus.problem
    dispatcher = Dispatcher(runtime.sessions, bus, timings, interval=settings.call_tick_seconds)
    ticking = settings.call_tick_seconds > 0
    if ticking:
        dispatcher.start()
    transcripts = TranscriptWriter(runtime.sessions)
    transcripts.start()
    store = create_store(settings)
    app.state.calls = CallRuntime(bus, timings, transcripts, store, dispatcher if ticking else None)
    try:
        yield
    finally:
        await dispatcher.stop()
        await transcripts.stop()
        await bus.close()


def calls_of(connection: HTTPConnection) -> CallRuntime:
    calls: CallRuntime = connection.app.state.calls
    return calls


async def publishing(
    connection: HTTPConnection, work: Callable[[AsyncSession, Outbox], Awaitable[T]]
) -> T:
    """A request's unit of work on the call product, what it has to tell the pages published
    once it has committed. Pages that cannot be told (Redis away) catch up on their next
    refresh: what was decided stands, and the request is answered."""
    outbox = Outbox()
    async with session_scope(runtime_of(connection).sessions) as session:
        result = await work(session, outbox)
    try:
        await outbox.send(calls_of(connection).bus)
    except BusUnavailable:
        log.warning("the call bus is unavailable: the pages learn of it on their next refresh")
    return result
