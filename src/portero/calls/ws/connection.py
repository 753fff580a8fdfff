"""One page's socket, whichever side: the hello that authenticates it, then a loop that hands
what the page sends to the side's handler for that message type, and what the bus brings to
the side's `on_published`.

A socket authenticates with its first message (`{"type": "hello", "token": …}`, the play-session
token) rather than in its URL, where proxies would log it. Every change of state is decided by
the services in one transaction; the socket only relays: the offer/answer/ICE messages and chat
of WebRTC go from one party to the other through the bus, and only between the two parties of a
call in progress. What the socket needs to relay (who the other party is) it keeps from the
last state it read, which the services' "refresh" messages renew after every change: relaying
costs no database round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from starlette.websockets import WebSocket, WebSocketDisconnect

from portero.calls.bus import BusUnavailable, LocalBus, Subscription
from portero.calls.errors import CallTaken, NotACallSession, NotAnAgentConsole
from portero.calls.outbox import Outbox
from portero.calls.runtime import CallRuntime, calls_of
from portero.calls.timings import CallTimings
from portero.calls.ws import messages
from portero.calls.ws.messages import Message, Refused
from portero.http.runtime import Runtime, runtime_of
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.errors import PorteroError, StorageUnavailable
from portero.kit.storage_errors import is_transient_storage_error
from portero.launches import opening
from portero.launches.errors import SessionExpired, SessionInvalid, SessionWithdrawn

T = TypeVar("T")
log = logging.getLogger("portero.calls.ws")
# A side's handler of one message type: (the socket, the message, the time it arrived).
Handler = Callable[[Any, Message, datetime], Awaitable[None]]


class Connection:
    # Message type → handler, one table per side.
    handlers: ClassVar[Mapping[str, Handler]] = {}

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.runtime: Runtime = runtime_of(websocket)
        self.calls: CallRuntime = calls_of(websocket)
        self.last_seen_write = utcnow()
        self.token = ""
        self.news_lost = False  # a transaction's messages could not be published
        self.checked_at = 0.0  # the event loop's clock at the last check of the play session
        # The pings whose heartbeat is to be written down, by the chores beside the relay.
        self.heartbeats: asyncio.Queue[datetime] = asyncio.Queue()

    @property
    def bus(self) -> LocalBus:
        return self.calls.bus

    @property
    def timings(self) -> CallTimings:
        return self.calls.timings

    async def send(self, message: Message) -> None:
        try:
            text = json.dumps(message, separators=(",", ":"))
        except (ValueError, TypeError, RecursionError):
            # Never from this socket's own messages (they come from schemas); a message from
            # elsewhere that cannot be written is dropped rather than break this page's socket.
            log.warning("dropped a message that cannot be written (type %r)", message.get("type"))
            return
        await self.websocket.send_text(text)

    async def transaction(
        self, work: Callable[[Any, Outbox], Awaitable[T]], *, checked: bool = True
    ) -> T:
        """One unit of work, after a check that the play session is still good (see `check`);
        its messages to the pages go out once it has committed. If they cannot go
        (Redis away), what was decided stands and the sender is told once the handler is done."""
        if checked:
            # A transaction of its own: the check may touch the play session's row, and taking
            # that lock before the work's rows would invert the order the services take them in.
            async with session_scope(self.runtime.sessions) as session:
                await self.check(session)
        outbox = Outbox()
        async with session_scope(self.runtime.sessions) as session:
            result = await work(session, outbox)
        try:
            await outbox.send(self.bus)
        except BusUnavailable:
            self.news_lost = True
        return result

    def due_heartbeat(self, now: datetime) -> bool:
        """Whether a ping should be written down (once per heartbeat, not per message)."""
        if now - self.last_seen_write < timedelta(seconds=messages.HEARTBEAT_SECONDS):
            return False
        self.last_seen_write = now
        return True

    async def _ping(self, _message: Message, now: datetime) -> None:
        """Answered at once; the heartbeat it is due is written by the chores."""
        if self.due_heartbeat(now):
            self.heartbeats.put_nowait(now)
        await self.send({"type": "pong"})

    async def _chores(self) -> None:
        """The socket's database work that no message waits for: the play session's check at
        least every `timings.revalidate`, and the heartbeats the pings are due. A task beside
        the relay (see `_pump`), so that a signal arriving meanwhile is relayed at once; it
        never returns, and what ends it (the session is over, the database is away) ends the
        socket as if it had happened in line."""
        loop = asyncio.get_running_loop()
        every = self.timings.revalidate.total_seconds()
        while True:
            wait = max(0.0, self.checked_at + every - loop.time())
            try:
                seen_at = await asyncio.wait_for(self.heartbeats.get(), wait)
            except TimeoutError:
                async with session_scope(self.runtime.sessions) as session:
                    await self.check(session)
            else:
                await self._write_heartbeat(seen_at)

    async def _write_heartbeat(self, now: datetime) -> None:
        await self.transaction(lambda session, _outbox: self.seen(session, now))

    async def run(self) -> None:
        await self.websocket.accept()
        started = False
        try:
            await self.start(await self._hello())
            started = True
            self.news_lost = False  # the page is about to read its state anyway
            async with self.bus.subscribe(self.channels()) as subscription:
                await self.refresh()
                await self._pump(subscription)
        except WebSocketDisconnect:
            return
        except CLOSING_ERRORS as error:
            await self._closing(error, started=started)
        except Exception as error:
            if not isinstance(error, StorageUnavailable) and not is_transient_storage_error(error):
                raise
            # The page reconnects (1011 is not one of the codes it stops on) and catches up.
            log.warning("call socket closed: the database is unavailable (%r)", error)
            await self._close_with(1011, "unavailable", "The service is busy; reconnecting.")

    async def _closing(self, error: PorteroError, *, started: bool) -> None:
        """Undo what the socket's presence meant, then say why and close with its code."""
        if started:  # first, so that the page learns of it once it has been done
            try:
                await self.withdrawn(error)
            except Exception:  # the clock's silence rules finish the job
                log.exception("could not undo the presence of a closed socket")
        close_code, code = close_reason(error)
        await self._close_with(close_code, code, error.message)

    async def _hello(self) -> opening.PlayContext:
        try:
            raw = await asyncio.wait_for(self._receive(), messages.HELLO_SECONDS)
            message = json.loads(raw if raw is not None else "")
        except (TimeoutError, ValueError, TypeError, RecursionError):
            message = {}
        token = message.get("token") if isinstance(message, dict) else None
        if not isinstance(token, str) or message.get("type") != "hello":
            raise SessionInvalid("The first message must be a hello with the session token.")
        self.token = token
        async with session_scope(self.runtime.sessions) as session:
            context = await opening.resume(session, token=token)
        self.checked_at = asyncio.get_running_loop().time()
        return context

    async def check(self, session: Any) -> None:
        """The play session is still good: not ended, expired or revoked, and its partner still
        active and offering the product. Run on every change of state the socket acts on, with
        the change's own transaction, and at least every `timings.revalidate` otherwise."""
        # Before the read: a side that lets some answers pass (a customer whose call is over)
        # must not find the check due again at once.
        self.checked_at = asyncio.get_running_loop().time()
        await opening.resume(session, token=self.token)

    async def _close_with(self, close_code: int, code: str, message: str) -> None:
        with contextlib.suppress(Exception):
            await self.send(messages.error(code, message))
            await self.websocket.close(close_code)

    async def _pump(self, subscription: Subscription) -> None:
        incoming = asyncio.create_task(self._receive())
        published = asyncio.create_task(subscription.get())
        chores = asyncio.create_task(self._chores())
        try:
            while True:
                done, _ = await asyncio.wait(
                    {incoming, published, chores}, return_when=asyncio.FIRST_COMPLETED
                )
                if chores in done:
                    chores.result()  # raises what ended them
                    raise AssertionError("the chores never end")  # pragma: no cover
                if published in done:
                    channel, message = published.result()
                    published = asyncio.create_task(subscription.get())
                    await self.on_published(channel, message)
                if incoming in done:
                    raw = incoming.result()  # raises WebSocketDisconnect when closed
                    incoming = asyncio.create_task(self._receive())
                    await self._on_text(raw)
                if self.finished():
                    await self.websocket.close()
                    return
        finally:
            tasks = (incoming, published, chores)
            for task in tasks:
                task.cancel()
            # Each is over (a transaction of the chores rolled back) before the socket's
            # closing work starts, and what any of them raised meanwhile is not left unread.
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _receive(self) -> str | None:
        """The next text frame; None for a binary one (refused, the socket stays open)."""
        frame = await self.websocket.receive()
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        text = frame.get("text")
        return text if isinstance(text, str) else None

    async def _on_text(self, raw: str | None) -> None:
        try:
            if raw is None:
                raise Refused("malformed", "Messages are JSON text frames.")
            message = messages.parse(raw)
            handler = self.handlers.get(message["type"])
            if handler is None:
                raise Refused("unknown_type", f"Unknown message type {message['type']!r}.")
            await handler(self, message, utcnow())
            if self.news_lost:
                raise BusUnavailable("the messages of this change could not be published")
        except Refused as refused:
            await self.send(messages.error(refused.code, str(refused)))
        except CLOSING_ERRORS:
            raise
        except BusUnavailable:
            # What was decided is in the database; only the news could not travel. The sender
            # is told to retry, and its own page is brought up to date from the database.
            self.news_lost = False
            await self.send(messages.unavailable())
            await self.refresh()
        except PorteroError as error:
            await self.send(messages.error(type(error).__name__, error.message))

    # Each side says how it starts, what it listens to, what it shows and when it is done.
    async def start(self, context: opening.PlayContext) -> None:
        raise NotImplementedError

    def channels(self) -> list[str]:
        raise NotImplementedError

    async def refresh(self) -> None:
        raise NotImplementedError

    async def on_published(self, channel: str, message: Message) -> None:
        raise NotImplementedError

    async def seen(self, session: Any, now: datetime) -> None:
        """Write down that the page was there at `now` (its heartbeat)."""
        raise NotImplementedError

    def finished(self) -> bool:
        return False

    async def withdrawn(self, error: PorteroError) -> None:
        """The socket is closing because its play session is no longer good (`error` says
        why): undo what the socket's presence means (the agent goes offline, the customer
        leaves the queue)."""


# What closes a socket, and how (docs/products/calls.md, "Close codes"); first match wins.
_CLOSE_REASONS: tuple[tuple[type[PorteroError], int, str], ...] = (
    (SessionWithdrawn, messages.CLOSE_FORBIDDEN, "access_withdrawn"),
    (SessionInvalid, messages.CLOSE_UNAUTHORISED, "session_expired"),
    (SessionExpired, messages.CLOSE_UNAUTHORISED, "session_expired"),
    (NotACallSession, messages.CLOSE_FORBIDDEN, "wrong_product"),
    (NotAnAgentConsole, messages.CLOSE_FORBIDDEN, "wrong_product"),
    (CallTaken, messages.CLOSE_CALL_TAKEN, "call_taken"),
)
CLOSING_ERRORS = tuple(kind for kind, _, _ in _CLOSE_REASONS)


def close_reason(error: PorteroError) -> tuple[int, str]:
    return next((close, code) for kind, close, code in _CLOSE_REASONS if isinstance(error, kind))
