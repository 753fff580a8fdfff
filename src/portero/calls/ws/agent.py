"""The agent's console socket: presence, the offer ringing, the calls in progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.websockets import WebSocket

from portero.calls import callbacks, directory, ending, presence, transcripts, transfers, views
from portero.calls.errors import NotAnAgentConsole
from portero.calls.ice import ice_servers
from portero.calls.models import MessageSender, Presence
from portero.calls.outbox import SENDER, agent_channel, call_channel
from portero.calls.transcripts import Said
from portero.calls.ws import messages
from portero.calls.ws.connection import Connection
from portero.calls.ws.messages import Message, Refused
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.errors import PorteroError
from portero.launches import opening
from portero.launches.errors import SessionWithdrawn


class AgentSocket(Connection):
    def __init__(self, websocket: WebSocket) -> None:
        super().__init__(websocket)
        self.agent_id = 0
        self.partner_id = 0
        self.state: dict[str, Any] = {}
        # The calls in progress on this console, from the last state read: the only calls it
        # may hang up or signal to.
        self.connected_calls: set[str] = set()
        # The call ringing here: its customer's page may already say what its media are.
        self.offered_call: str | None = None

    async def start(self, context: opening.PlayContext) -> None:
        if context.product != "console":
            raise NotAnAgentConsole()
        code = str(context.params.get("agent_code", "")).lower()
        async with session_scope(self.runtime.sessions) as session:
            agent_id = await directory.agent_id(session, partner_id=context.partner_id, code=code)
            if agent_id is None:
                raise NotAnAgentConsole("This console's agent no longer exists.")
            await presence.agent_seen(session, agent_id=agent_id, now=utcnow())
        self.agent_id = agent_id
        self.partner_id = context.partner_id
        settings = self.runtime.settings
        await self.send(
            messages.welcome(
                "agent", ice_servers(settings, user=f"agent-{code}"),
                file_max_bytes=settings.call_file_max_bytes,
            )
        )  # fmt: skip

    def channels(self) -> list[str]:
        return [agent_channel(self.agent_id)]

    async def refresh(self) -> None:
        async with session_scope(self.runtime.sessions) as session:
            await self.check(session)
            state = await views.console_view(session, self.agent_id)
        self.connected_calls = {call["call_id"] for call in state["calls"]}
        self.offered_call = state["offer"]["call_id"] if state["offer"] else None
        if state != self.state:
            self.state = state
            await self.send(state)

    async def on_published(self, channel: str, message: Message) -> None:
        if message.get("type") == "refresh":
            await self.refresh()
        elif message.get("from") == "customer" and self._hears(message):
            await self.send(message)

    def _hears(self, message: Message) -> bool:
        """A customer's message reaches the console while its call is in progress here; its
        `media` also while it rings here."""
        call_id = message.get("call_id")
        ringing = message.get("type") == "media" and call_id == self.offered_call
        return ringing or call_id in self.connected_calls

    async def withdrawn(self, error: PorteroError) -> None:
        """The agent goes offline and a call ringing here moves on. Calls in progress end too
        when the partner lost the product or was disabled; when only this console's session
        ended (revoked, expired), they go on if the agent answers on another console, and are
        dropped by the silence rule (`call_presence_grace_seconds`) if not."""
        now = utcnow()
        call_ids = sorted(self.connected_calls) if isinstance(error, SessionWithdrawn) else []
        await self.transaction(
            lambda session, outbox: presence.sign_out(
                session, outbox, agent_id=self.agent_id, call_ids=call_ids, now=now,
                timings=self.timings,
            ),
            checked=False,
        )  # fmt: skip
        self.calls.nudge()

    def _my_call(self, message: Message) -> str:
        call_id = messages.call_id_of(message)
        if call_id not in self.connected_calls:
            raise Refused("not_connected", "That call is not in progress on this console.")
        return call_id

    async def seen(self, session: Any, now: datetime) -> None:
        await presence.agent_seen(session, agent_id=self.agent_id, now=now)

    async def _set_presence(self, message: Message, now: datetime) -> None:
        try:
            wanted = Presence(str(message.get("presence")))
        except ValueError:
            raise Refused("malformed", "presence is offline, available or busy.") from None
        await self.transaction(
            lambda session, outbox: presence.set_presence(
                session, outbox, agent_id=self.agent_id, presence=wanted, now=now,
                timings=self.timings,
            )
        )  # fmt: skip

    async def _accept(self, message: Message, now: datetime) -> None:
        call_id = messages.call_id_of(message)
        await self.transaction(
            lambda session, outbox: transfers.answer_offer(
                session, outbox, agent_id=self.agent_id, call_id=call_id, now=now
            )
        )
        self.calls.nudge()

    async def _reject(self, message: Message, now: datetime) -> None:
        call_id = messages.call_id_of(message)
        await self.transaction(
            lambda session, outbox: transfers.refuse_offer(
                session, outbox, agent_id=self.agent_id, call_id=call_id, now=now,
                timings=self.timings,
            )
        )  # fmt: skip

    async def _hang_up(self, message: Message, now: datetime) -> None:
        call_id = self._my_call(message)
        await self.transaction(
            lambda session, outbox: ending.hang_up(
                session, outbox, call_id=call_id, now=now, by="agent", agent_id=self.agent_id
            )
        )
        self.calls.nudge()

    async def _transfer(self, message: Message, now: datetime) -> None:
        call_id = self._my_call(message)
        await self.transaction(
            lambda session, outbox: transfers.start(
                session, outbox, agent_id=self.agent_id, call_id=call_id,
                to_agent=message.get("agent"), to_category=message.get("category"),
                note=message.get("note"), now=now, timings=self.timings,
            )
        )  # fmt: skip

    async def _directory(self, _message: Message, now: datetime) -> None:
        """Whom this console may transfer a call to."""
        async with session_scope(self.runtime.sessions) as session:
            await self.check(session)
            found = await transfers.targets(
                session, partner_id=self.partner_id, agent_id=self.agent_id, now=now,
                timings=self.timings,
            )  # fmt: skip
        await self.send(found)

    async def _callback_done(self, message: Message, now: datetime) -> None:
        callback_id = str(message["callback_id"])
        await self.transaction(
            lambda session, outbox: callbacks.mark_done(
                session, outbox, partner_id=self.partner_id, callback_id=callback_id, now=now,
                agent_id=self.agent_id,
            )
        )  # fmt: skip

    async def _relay(self, message: Message, now: datetime) -> None:
        call_id = self._my_call(message)
        out = messages.relayed(message, call_id=call_id, side="agent", now=now)
        # Who sent it, for the customer's socket alone (it drops what a console that has just
        # handed the call over still sends): never passed on to the page.
        await self.bus.publish(call_channel(call_id), out | {SENDER: self.agent_id})
        if out["type"] == "chat":
            said = Said(call_id, MessageSender.agent, self.agent_id, out["text"], now)
            self.calls.transcripts.add(said)

    async def _transcript(self, message: Message, _now: datetime) -> None:
        """A call of the console's recent ones, as it was said (calls/transcripts.py)."""
        call_id = messages.call_id_of(message)
        async with session_scope(self.runtime.sessions) as session:
            await self.check(session)
            found = await transcripts.for_console(session, agent_id=self.agent_id, call_id=call_id)
        await self.send(found)

    handlers = {
        "ping": Connection._ping,
        "presence": _set_presence,
        "accept": _accept,
        "reject": _reject,
        "hangup": _hang_up,
        "callback_done": _callback_done,
        "transcript": _transcript,
        "transfer": _transfer,
        "directory": _directory,
        **dict.fromkeys(messages.RELAYED, _relay),
    }


async def serve_agent(websocket: WebSocket) -> None:
    await AgentSocket(websocket).run()
