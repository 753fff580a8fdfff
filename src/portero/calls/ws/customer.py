"""The customer's socket: the waiting room (queue position, ringing), then the call."""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime
from typing import Any

from starlette.websockets import WebSocket

from portero.calls import queue, transcripts, views
from portero.calls.bus import BusUnavailable
from portero.calls.errors import NotACallSession
from portero.calls.ice import ice_servers
from portero.calls.models import QUEUED, CallStatus, MessageSender
from portero.calls.outbox import SENDER, agent_channel, call_channel, queue_channel
from portero.calls.transcripts import Said
from portero.calls.ws import messages
from portero.calls.ws.connection import Connection
from portero.calls.ws.messages import Message, Refused
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.errors import PorteroError
from portero.launches import opening
from portero.launches.errors import SessionExpired, SessionInvalid, SessionWithdrawn

_OVER = (CallStatus.completed, CallStatus.missed, CallStatus.abandoned)

log = logging.getLogger("portero.calls.ws")


class CustomerSocket(Connection):
    def __init__(self, websocket: WebSocket) -> None:
        super().__init__(websocket)
        self.call_id = ""
        self.partner_id = 0
        self.state: dict[str, Any] = {}
        self.connected_agent_id: int | None = None
        self.ringing_agent_id: int | None = None
        # The page's last `media` message, and the agent last told of it (see `_tell_media`).
        self.media: Message | None = None
        self.media_told: int | None = None
        self.reread_at = -math.inf  # the event loop's clock when a relay last read the state

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
        servers = ice_servers(self.runtime.settings, user=f"customer-{self.call_id}")
        await self.send(
            messages.welcome(
                "customer", servers, call_id=self.call_id,
                file_max_bytes=self.runtime.settings.call_file_max_bytes,
            )
        )  # fmt: skip

    async def check(self, session: Any) -> None:
        try:
            await super().check(session)
        except SessionWithdrawn:
            raise
        except (SessionExpired, SessionInvalid):
            # A call's end ends its link's play sessions: the page is still shown how it ended
            # (then the socket closes, as after every final state).
            if not await queue.is_over(session, call_id=self.call_id):
                raise

    def channels(self) -> list[str]:
        return [call_channel(self.call_id), queue_channel(self.partner_id)]

    async def refresh(self) -> None:
        async with session_scope(self.runtime.sessions) as session:
            await self.check(session)
            view = await views.customer_view(session, self.call_id)
        self.connected_agent_id = view.connected_agent_id
        self.ringing_agent_id = view.ringing_agent_id
        if view.state != self.state:
            self.state = view.state
            await self.send(view.state)
        await self._tell_media(again=False)

    def _queued(self) -> bool:
        return not self.state or self.state.get("status") in QUEUED

    def finished(self) -> bool:
        """Once the call is over, the page has been told and the socket closes."""
        return self.state.get("status") in _OVER

    async def on_published(self, channel: str, message: Message) -> None:
        # The queue's news (a customer joined or left) can only move a call still queued: a
        # call that changes state is told so on its own channel. Read only then, or every
        # arrival would make every connected customer of the partner read too.
        kind = message.get("type")
        if kind == "refresh" or (kind == "queue" and self._queued()):
            await self.refresh()
        elif message.get("from") == "agent":
            shown = dict(message)  # the bus's message may be another socket's too
            sender = shown.pop(SENDER, None)
            if sender is None or sender == self.connected_agent_id:
                await self.send(shown)

    async def withdrawn(self, error: PorteroError) -> None:
        """The customer's session is over: so is the call (abandoned, or completed if answered)."""
        now = utcnow()
        await self.transaction(
            lambda session, outbox: queue.leave(
                session, outbox, call_id=self.call_id, now=now, by="system"
            ),
            checked=False,
        )
        self.calls.nudge()

    async def seen(self, session: Any, now: datetime) -> None:
        await queue.customer_seen(session, call_id=self.call_id, now=now)

    async def _hang_up(self, _message: Message, now: datetime) -> None:
        await self.transaction(
            lambda session, outbox: queue.leave(session, outbox, call_id=self.call_id, now=now)
        )
        self.connected_agent_id = None  # nothing more to relay, whatever the refresh says
        self.calls.nudge()

    async def _relay(self, message: Message, now: datetime) -> None:
        """To the agent on the call, known from the last state read: no query per message.
        Before refusing, the state is read once more, in case the message overtook the news
        that the call has just connected; at most once per `RELAY_REREAD_SECONDS`, so that
        the messages of a page that is not on a call cost no query either."""
        if self.connected_agent_id is None and self._may_reread():
            await self.refresh()
        if self.connected_agent_id is None:
            raise Refused("not_connected", "The call is not connected.")
        out = messages.relayed(message, call_id=self.call_id, side="customer", now=now)
        await self.bus.publish(agent_channel(self.connected_agent_id), out)
        if out["type"] == "chat":
            agent_id = self.connected_agent_id
            said = Said(self.call_id, MessageSender.customer, agent_id, out["text"], now)
            self.calls.transcripts.add(said)

    async def _media(self, message: Message, now: datetime) -> None:
        """Kept, and passed on to the agent it rings on or talks to (none yet: it is passed on
        once one is, by `refresh`). Never refused: a page says it as soon as it knows."""
        self.media = messages.relayed(message, call_id=self.call_id, side="customer", now=now)
        await self._tell_media(again=True)

    async def _tell_media(self, *, again: bool) -> None:
        """The agent ringing or talking knows the page's media: told once per agent, and again
        on every change the page reports (`again`). No query: the agent is the last state's."""
        agent_id = self.connected_agent_id or self.ringing_agent_id
        if self.media is None or agent_id is None or (agent_id == self.media_told and not again):
            return
        try:
            await self.bus.publish(agent_channel(agent_id), self.media)
        except BusUnavailable:
            if again:  # the page's own message: refused as any relay the bus cannot carry
                raise
            # From a refresh, which must not fail for it: the next refresh tells it again.
            log.warning("call %s: the bus is unavailable, media not passed on yet", self.call_id)
            return
        self.media_told = agent_id

    async def _transcript(self, _message: Message, _now: datetime) -> None:
        """The chat of the page's call so far (a page reloaded mid-call shows it again)."""
        async with session_scope(self.runtime.sessions) as session:
            await self.check(session)
            found = await transcripts.for_customer(session, call_id=self.call_id)
        await self.send(found)

    def _may_reread(self) -> bool:
        clock = asyncio.get_running_loop().time()
        if clock - self.reread_at < messages.RELAY_REREAD_SECONDS:
            return False
        self.reread_at = clock
        return True

    handlers = {
        "ping": Connection._ping,
        "hangup": _hang_up,
        **dict.fromkeys(messages.RELAYED, _relay),
        "media": _media,
        "transcript": _transcript,
    }


async def serve_customer(websocket: WebSocket) -> None:
    await CustomerSocket(websocket).run()
