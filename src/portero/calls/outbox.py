"""What a call operation has to tell the browsers, sent once its transaction has committed.

Messages only say "look again" (or carry signalling between the two parties): the database is the
source of truth, and a page that missed a message catches up on the next one or on reconnect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls.bus import BusUnavailable
from portero.kit.db import session_scope

T = TypeVar("T")


# The field of a console's message on its call's channel that names the agent who sent it (for
# the customer's socket to check), taken off before the page sees the message.
SENDER = "_agent_id"


def agent_channel(agent_id: int) -> str:
    return f"portero:agent:{agent_id}"


def call_channel(call_id: str) -> str:
    return f"portero:call:{call_id}"


def queue_channel(partner_id: int) -> str:
    """Positions in the partner's queues changed."""
    return f"portero:queue:{partner_id}"


class Publisher(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...


@dataclass
class Outbox:
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def refresh_agent(self, agent_id: int) -> None:
        self.messages[agent_channel(agent_id)] = {"type": "refresh"}

    def refresh_call(self, call_id: str) -> None:
        self.messages[call_channel(call_id)] = {"type": "refresh"}

    def refresh_queue(self, partner_id: int) -> None:
        self.messages[queue_channel(partner_id)] = {"type": "queue"}

    def __bool__(self) -> bool:
        return bool(self.messages)

    async def send(self, publisher: Publisher) -> None:
        """Publish every message; one that cannot go (Redis away) does not keep the others
        from trying, and the first failure is raised once all have been tried."""
        messages, self.messages = self.messages, {}
        failure: BusUnavailable | None = None
        for channel, message in messages.items():
            try:
                await publisher.publish(channel, message)
            except BusUnavailable as error:
                failure = failure or error
        if failure is not None:
            raise failure


async def commit_then_publish(
    sessions: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    work: Callable[[AsyncSession, Outbox], Awaitable[T]],
) -> T:
    """One unit of work; what it has to tell the pages is published once it has committed."""
    outbox = Outbox()
    async with session_scope(sessions) as session:
        result = await work(session, outbox)
    await outbox.send(publisher)
    return result
