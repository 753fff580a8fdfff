"""The supervisor's socket: the desk's figures (calls/desk_stats.py), read from the database
whenever the partner's queues move (a customer joins, leaves, is answered) and at every ping
of the page (every `HEARTBEAT_SECONDS`), at most once a second: what the queue's news does
not carry (a call hung up, an agent's presence) shows within a heartbeat. It sends nothing
on: the page only listens."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime
from typing import Any

from starlette.websockets import WebSocket

from portero.calls import desk_stats
from portero.calls.errors import NotAWallboard
from portero.calls.outbox import queue_channel
from portero.calls.ws import messages
from portero.calls.ws.connection import Connection
from portero.calls.ws.messages import Message
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches import opening
from portero.products.registry import ProductName

# The queue's news can come many times a second on a busy desk, and a page may ping as often as
# it likes: the figures are read at most this often, whatever asks.
READ_EVERY_SECONDS = 1.0


class WallboardSocket(Connection):
    def __init__(self, websocket: WebSocket) -> None:
        super().__init__(websocket)
        self.partner_id = 0
        self.read_at = -math.inf  # the event loop's clock at the last read for the news

    async def start(self, context: opening.PlayContext) -> None:
        if context.product != ProductName.wallboard:
            raise NotAWallboard()
        self.partner_id = context.partner_id
        await self.send(messages.welcome("supervisor", []))

    def channels(self) -> list[str]:
        return [queue_channel(self.partner_id)]

    async def refresh(self) -> None:
        async with session_scope(self.runtime.sessions) as session:
            await self.check(session)
            figures = await desk_stats.for_partner(
                session, partner_id=self.partner_id, now=utcnow()
            )
        await self.send({"type": "state", **figures.model_dump(mode="json")})

    async def on_published(self, channel: str, message: Message) -> None:
        await self._read_again()

    async def _read_again(self) -> None:
        clock = asyncio.get_running_loop().time()
        if clock - self.read_at >= READ_EVERY_SECONDS:
            self.read_at = clock
            await self.refresh()

    async def seen(self, session: Any, now: datetime) -> None:
        """Nothing to write down: a wallboard has no presence."""

    async def _ping(self, _message: Message, now: datetime) -> None:
        await self.send({"type": "pong"})
        await self._read_again()

    handlers = {"ping": _ping}


async def serve_wallboard(websocket: WebSocket) -> None:
    await WallboardSocket(websocket).run()
