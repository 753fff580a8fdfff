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
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from starlette.websockets import WebSocket, WebSocketDisconnect

from portero.calls.bus import LocalBus, Subscription
from portero.calls.errors import NotACallSession, NotAnAgentConsole
from portero.calls.outbox import Outbox, commit_then_publish
from portero.calls.runtime import CallRuntime, calls_of
from portero.calls.timings import CallTimings
from portero.calls.ws import messages
from portero.calls.ws.messages import Message, Refused
from portero.http.runtime import Runtime, runtime_of
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.errors import PorteroError
from portero.launches import opening
from portero.launches.errors import SessionExpired, SessionInvalid

T = TypeVar("T")
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

    @property
    def bus(self) -> LocalBus:
        return self.calls.bus

    @property
    def timings(self) -> CallTimings:
        return self.calls.timings

    async def send(self, message: Message) -> None:
        await self.websocket.send_text(json.dumps(message, separators=(",", ":")))

    async def transaction(self, work: Callable[[Any, Outbox], Awaitable[T]]) -> T:
        """One unit of work; its messages to the pages go out once it has committed."""
        return await commit_then_publish(self.runtime.sessions, self.bus, work)

    def due_heartbeat(self, now: datetime) -> bool:
        """Whether a ping should be written down (once per heartbeat, not per message)."""
        if now - self.last_seen_write < timedelta(seconds=messages.HEARTBEAT_SECONDS):
            return False
        self.last_seen_write = now
        return True

    async def run(self) -> None:
        await self.websocket.accept()
        try:
            await self.start(await self._hello())
        except (SessionInvalid, SessionExpired) as error:
            await self._close_with(messages.CLOSE_UNAUTHORISED, "session_expired", error.message)
            return
        except (NotACallSession, NotAnAgentConsole) as error:
            await self._close_with(messages.CLOSE_WRONG_PRODUCT, "wrong_product", error.message)
            return
        except WebSocketDisconnect:
            return
        with contextlib.suppress(WebSocketDisconnect):
            async with self.bus.subscribe(self.channels()) as subscription:
                await self.refresh()
                await self._pump(subscription)

    async def _hello(self) -> opening.PlayContext:
        try:
            raw = await asyncio.wait_for(self.websocket.receive_text(), messages.HELLO_SECONDS)
            message = json.loads(raw)
        except (TimeoutError, ValueError, KeyError):
            message = {}
        token = message.get("token") if isinstance(message, dict) else None
        if not isinstance(token, str) or message.get("type") != "hello":
            raise SessionInvalid("The first message must be a hello with the session token.")
        async with session_scope(self.runtime.sessions) as session:
            return await opening.resume(session, token=token)

    async def _close_with(self, close_code: int, code: str, message: str) -> None:
        with contextlib.suppress(Exception):
            await self.send(messages.error(code, message))
            await self.websocket.close(close_code)

    async def _pump(self, subscription: Subscription) -> None:
        incoming = asyncio.create_task(self.websocket.receive_text())
        published = asyncio.create_task(subscription.get())
        try:
            while True:
                done, _ = await asyncio.wait(
                    {incoming, published}, return_when=asyncio.FIRST_COMPLETED
                )
                if published in done:
                    channel, message = published.result()
                    published = asyncio.create_task(subscription.get())
                    await self.on_published(channel, message)
                if incoming in done:
                    raw = incoming.result()  # raises WebSocketDisconnect when closed
                    incoming = asyncio.create_task(self.websocket.receive_text())
                    await self._on_text(raw)
                if self.finished():
                    await self.websocket.close()
                    return
        finally:
            incoming.cancel()
            published.cancel()

    async def _on_text(self, raw: str) -> None:
        try:
            message = messages.parse(raw)
            handler = self.handlers.get(message["type"])
            if handler is None:
                raise Refused("unknown_type", f"Unknown message type {message['type']!r}.")
            await handler(self, message, utcnow())
        except Refused as refused:
            await self.send(messages.error(refused.code, str(refused)))
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

    def finished(self) -> bool:
        return False
