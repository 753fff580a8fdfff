"""The WebSockets of the two call pages: push of state, and signalling between the parties.

A socket authenticates with its first message (`{"type": "hello", "token": …}`, the play-session
token) rather than in its URL, where proxies would log it. Every change of state is decided by
the services in one transaction; the socket only relays: the offer/answer/ICE messages and chat
of WebRTC go from one party to the other through the bus, and only between the two parties of a
call in progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from starlette.websockets import WebSocket, WebSocketDisconnect

from portero.calls import ending, presence, queue, routing, views
from portero.calls.bus import LocalBus, Subscription
from portero.calls.errors import NotACallSession, NotAnAgentConsole
from portero.calls.ice import ice_servers
from portero.calls.models import CallStatus, Presence
from portero.calls.outbox import (
    Outbox,
    agent_channel,
    call_channel,
    commit_then_publish,
    queue_channel,
)
from portero.calls.routing import AGENT
from portero.calls.runtime import CallRuntime, calls_of
from portero.calls.timings import CallTimings
from portero.http.runtime import Runtime, runtime_of
from portero.kit.clock import iso_utc, utcnow
from portero.kit.db import session_scope
from portero.kit.errors import PorteroError
from portero.launches import opening
from portero.launches.errors import SessionExpired, SessionInvalid

log = logging.getLogger("portero.calls")

HEARTBEAT_SECONDS = 5.0
HELLO_SECONDS = 10.0
MAX_MESSAGE_CHARS = 64 * 1024
MAX_CHAT_CHARS = 2000
CLOSE_UNAUTHORISED = 4401
CLOSE_WRONG_PRODUCT = 4403


class _Refused(Exception):
    """A message the socket does not accept; answered with an error, the socket stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class _Socket:
    websocket: WebSocket
    runtime: Runtime
    subscription: Subscription | None = None
    last_seen_write: datetime = field(default_factory=utcnow)

    @property
    def calls(self) -> CallRuntime:
        return calls_of(self.websocket)

    @property
    def bus(self) -> LocalBus:
        return self.calls.bus

    @property
    def timings(self) -> CallTimings:
        return self.calls.timings

    async def send(self, message: dict[str, Any]) -> None:
        await self.websocket.send_text(json.dumps(message, separators=(",", ":")))

    async def transaction(self, work: Callable[[Any, Outbox], Awaitable[Any]]) -> Any:
        return await commit_then_publish(self.runtime.sessions, self.bus, work)

    def nudge(self) -> None:
        self.calls.nudge()

    async def hello(self) -> opening.PlayContext:
        try:
            raw = await asyncio.wait_for(self.websocket.receive_text(), HELLO_SECONDS)
            message = json.loads(raw)
        except (TimeoutError, ValueError, KeyError):
            message = {}
        token = message.get("token") if isinstance(message, dict) else None
        if not isinstance(token, str) or message.get("type") != "hello":
            raise SessionInvalid("The first message must be a hello with the session token.")
        async with session_scope(self.runtime.sessions) as session:
            return await opening.resume(session, token=token)

    def due_heartbeat(self, now: datetime) -> bool:
        if now - self.last_seen_write < timedelta(seconds=HEARTBEAT_SECONDS):
            return False
        self.last_seen_write = now
        return True

    async def run(self) -> None:
        await self.websocket.accept()
        try:
            context = await self.hello()
            await self.start(context)
        except (SessionInvalid, SessionExpired) as error:
            await self._close_with(CLOSE_UNAUTHORISED, "session_expired", error.message)
            return
        except (NotACallSession, NotAnAgentConsole) as error:
            await self._close_with(CLOSE_WRONG_PRODUCT, "wrong_product", error.message)
            return
        except WebSocketDisconnect:
            return
        try:
            async with self.bus.subscribe(self.channels()) as subscription:
                self.subscription = subscription
                await self.refresh()
                await self._pump(subscription)
        except WebSocketDisconnect:
            pass
        finally:
            await self.finish()

    async def _close_with(self, close_code: int, code: str, message: str) -> None:
        with contextlib.suppress(Exception):
            await self.send({"type": "error", "code": code, "message": message})
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
            if len(raw) > MAX_MESSAGE_CHARS:
                raise _Refused("too_large", "Messages are limited to 64 KiB.")
            try:
                message = json.loads(raw)
            except ValueError:
                raise _Refused("malformed", "Messages are JSON objects.") from None
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise _Refused("malformed", "Messages are JSON objects with a type.")
            await self.on_message(message)
        except _Refused as refused:
            await self.send({"type": "error", "code": refused.code, "message": str(refused)})
        except PorteroError as error:
            await self.send(
                {"type": "error", "code": type(error).__name__, "message": error.message}
            )

    # Overridden by each side.
    def finished(self) -> bool:
        return False

    def channels(self) -> list[str]:
        raise NotImplementedError

    async def start(self, context: opening.PlayContext) -> None:
        raise NotImplementedError

    async def refresh(self) -> None:
        raise NotImplementedError

    async def on_message(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def on_published(self, channel: str, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def finish(self) -> None:
        pass


def _chat_text(message: dict[str, Any]) -> str:
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _Refused("malformed", "A chat message needs a text.")
    if len(text) > MAX_CHAT_CHARS:
        raise _Refused("too_large", f"Chat messages are limited to {MAX_CHAT_CHARS} characters.")
    return text.strip()


def _signal_data(message: dict[str, Any]) -> dict[str, Any]:
    data = message.get("data")
    if not isinstance(data, dict):
        raise _Refused("malformed", "A signal carries a data object.")
    return data


@dataclass
class CustomerSocket(_Socket):
    call_id: str = ""
    partner_id: int = 0
    state: dict[str, Any] = field(default_factory=dict)

    async def start(self, context: opening.PlayContext) -> None:
        if context.product != "call":
            raise NotACallSession()
        self.partner_id = context.partner_id
        now = utcnow()
        self.call_id = await self.transaction(
            lambda session, outbox: queue.join(
                session, outbox, context, now=now, timings=self.timings
            )
        )
        await self.send(
            {
                "type": "welcome",
                "role": "customer",
                "call_id": self.call_id,
                "heartbeat_seconds": HEARTBEAT_SECONDS,
                "ice_servers": ice_servers(self.runtime.settings, user=f"customer-{self.call_id}"),
            }
        )

    def channels(self) -> list[str]:
        return [call_channel(self.call_id), queue_channel(self.partner_id)]

    async def refresh(self) -> None:
        async with session_scope(self.runtime.sessions) as session:
            state = await views.customer_view(session, self.call_id)
        if state != self.state:
            self.state = state
            await self.send(state)

    def finished(self) -> bool:
        """Once the call is over, the page has been told and the socket closes."""
        return self.state.get("status") in (
            CallStatus.completed,
            CallStatus.missed,
            CallStatus.abandoned,
        )

    async def on_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        now = utcnow()
        if kind == "ping":
            if self.due_heartbeat(now):
                await self.transaction(
                    lambda session, _outbox: queue.customer_seen(
                        session, call_id=self.call_id, now=now
                    )
                )
            await self.send({"type": "pong"})
        elif kind == "hangup":
            await self.transaction(
                lambda session, outbox: queue.leave(session, outbox, call_id=self.call_id, now=now)
            )
            self.nudge()
        elif kind in ("signal", "chat", "ready"):
            agent_id = await self._connected_agent()
            relayed: dict[str, Any] = {"type": kind, "call_id": self.call_id, "from": "customer"}
            if kind == "signal":
                relayed["data"] = _signal_data(message)
            elif kind == "chat":
                relayed |= {"text": _chat_text(message), "at": iso_utc(now)}
            await self.bus.publish(agent_channel(agent_id), relayed)
        else:
            raise _Refused("unknown_type", f"Unknown message type {kind!r}.")

    async def _connected_agent(self) -> int:
        async with session_scope(self.runtime.sessions) as session:
            row = (
                await session.execute(
                    select(routing.CALL.c.status, routing.CALL.c.agent_id).where(
                        routing.CALL.c.id == self.call_id
                    )
                )
            ).one()
        if row.status != CallStatus.connected or row.agent_id is None:
            raise _Refused("not_connected", "The call is not connected.")
        return int(row.agent_id)

    async def on_published(self, channel: str, message: dict[str, Any]) -> None:
        if message.get("type") in ("refresh", "queue"):
            await self.refresh()
        elif message.get("from") == "agent":
            await self.send(message)


@dataclass
class AgentSocket(_Socket):
    agent_id: int = 0
    agent_code: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    connected_calls: set[str] = field(default_factory=set)

    async def start(self, context: opening.PlayContext) -> None:
        if context.product != "console":
            raise NotAnAgentConsole()
        code = str(context.params.get("agent_code", "")).lower()
        async with session_scope(self.runtime.sessions) as session:
            agent_id = await session.scalar(
                select(AGENT.c.id).where(
                    AGENT.c.partner_id == context.partner_id, AGENT.c.code == code
                )
            )
            if agent_id is None:
                raise NotAnAgentConsole("This console's agent no longer exists.")
            await presence.agent_seen(session, agent_id=agent_id, now=utcnow())
        self.agent_id, self.agent_code = int(agent_id), code
        await self.send(
            {
                "type": "welcome",
                "role": "agent",
                "heartbeat_seconds": HEARTBEAT_SECONDS,
                "ice_servers": ice_servers(self.runtime.settings, user=f"agent-{code}"),
            }
        )

    def channels(self) -> list[str]:
        return [agent_channel(self.agent_id)]

    async def refresh(self) -> None:
        async with session_scope(self.runtime.sessions) as session:
            state = await views.console_view(session, self.agent_id)
        self.connected_calls = {call["call_id"] for call in state["calls"]}
        if state != self.state:
            self.state = state
            await self.send(state)

    async def on_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        now = utcnow()
        timings = self.timings
        if kind == "ping":
            if self.due_heartbeat(now):
                await self.transaction(
                    lambda session, _outbox: presence.agent_seen(
                        session, agent_id=self.agent_id, now=now
                    )
                )
            await self.send({"type": "pong"})
        elif kind == "presence":
            try:
                wanted = Presence(str(message.get("presence")))
            except ValueError:
                raise _Refused("malformed", "presence is offline, available or busy.") from None
            await self.transaction(
                lambda session, outbox: presence.set_presence(
                    session, outbox, agent_id=self.agent_id, presence=wanted, now=now,
                    timings=timings,
                )
            )  # fmt: skip
        elif kind in ("accept", "reject"):
            call_id = _call_id(message)
            if kind == "accept":
                await self.transaction(
                    lambda session, outbox: routing.accept(
                        session, outbox, agent_id=self.agent_id, call_id=call_id, now=now
                    )
                )
                self.nudge()
            else:
                await self.transaction(
                    lambda session, outbox: routing.decline(
                        session, outbox, agent_id=self.agent_id, call_id=call_id, now=now,
                        timings=timings,
                    )
                )  # fmt: skip
        elif kind == "hangup":
            call_id = self._my_call(message)
            await self.transaction(
                lambda session, outbox: ending.hang_up(
                    session, outbox, call_id=call_id, now=now, by="agent"
                )
            )
            self.nudge()
        elif kind in ("signal", "chat", "ready"):
            call_id = self._my_call(message)
            relayed: dict[str, Any] = {"type": kind, "call_id": call_id, "from": "agent"}
            if kind == "signal":
                relayed["data"] = _signal_data(message)
            elif kind == "chat":
                relayed |= {"text": _chat_text(message), "at": iso_utc(now)}
            await self.bus.publish(call_channel(call_id), relayed)
        else:
            raise _Refused("unknown_type", f"Unknown message type {kind!r}.")

    def _my_call(self, message: dict[str, Any]) -> str:
        call_id = _call_id(message)
        if call_id not in self.connected_calls:
            raise _Refused("not_connected", "That call is not in progress on this console.")
        return call_id

    async def on_published(self, channel: str, message: dict[str, Any]) -> None:
        if message.get("type") == "refresh":
            await self.refresh()
        elif message.get("from") == "customer" and message.get("call_id") in self.connected_calls:
            await self.send(message)


def _call_id(message: dict[str, Any]) -> str:
    call_id = message.get("call_id")
    if not isinstance(call_id, str) or not 0 < len(call_id) <= 40:
        raise _Refused("malformed", "This message needs a call_id.")
    return call_id


async def serve_customer(websocket: WebSocket) -> None:
    await CustomerSocket(websocket, runtime_of(websocket)).run()


async def serve_agent(websocket: WebSocket) -> None:
    await AgentSocket(websocket, runtime_of(websocket)).run()
