"""The transcript of a call: its chat, kept with the call record (docs/products/calls.md,
"Transcripts").

Relaying never waits for the database (calls/ws/connection.py): a socket hands each chat message
it has relayed to its process's `TranscriptWriter` and goes on. The writer writes whatever has
gathered in the next GATHER_SECONDS in one INSERT, off the relay's path, so a busy desk costs
a statement per batch rather than one per message. What a process had not yet written when it
died is lost: the messages of its last moment, never a whole conversation. The messages are
removed with their call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls import transcript_repository as repository
from portero.calls.errors import CallNotFound
from portero.calls.models import MessageSender
from portero.calls.records import CALL_ID_PATTERN
from portero.kit.clock import iso_utc
from portero.kit.db import AnyRow, session_scope
from portero.kit.pagination import Page
from portero.kit.storage_errors import is_transient_storage_error

log = logging.getLogger(__name__)
_CALL_ID = re.compile(CALL_ID_PATTERN)
MESSAGE_ID_PREFIX = "msg_"
# One INSERT carries at most this many messages, gathered for at most this long.
BATCH = 500
GATHER_SECONDS = 0.05
# Messages held while the database is away; past this, new ones are not kept (and logged).
MAX_PENDING = 20_000
# Waits between attempts while the database is away (seconds).
_RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0)
# How long a stopping process tries to write what it still holds.
STOP_SECONDS = 5.0
# The console shows a call's last messages, as many as a page holds.
CONSOLE_MESSAGES = 500


@dataclass(frozen=True, slots=True)
class Said:
    """One chat message as it was relayed."""

    call_id: str
    sender: MessageSender
    agent_id: int | None  # the agent who wrote it, or who was on the call
    text: str
    at: datetime
    file_id: str | None = None  # a file sent in the chat (calls/files.py): its name is the text

    def row(self) -> dict[str, Any]:
        # PostgreSQL's text cannot hold NUL; the other party saw the character, the record
        # keeps a replacement for it.
        text = self.text.replace("\x00", "\ufffd")
        return {
            "call_id": self.call_id,
            "sent_at": self.at,
            "sender": self.sender.value,
            "agent_id": self.agent_id,
            "text": text,
            "file_id": self.file_id,
        }


class TranscriptWriter:
    """The process's chat messages on their way to the database, written in batches."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._pending: list[Said] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._overflowing = False
        self._stopping = False

    def add(self, said: Said) -> None:
        """Kept to be written; never waits."""
        if len(self._pending) >= MAX_PENDING:
            if not self._overflowing:
                log.error("transcripts: the database is away, chat messages are not kept")
            self._overflowing = True
            return
        self._overflowing = False
        self._pending.append(said)
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="transcripts")

    async def stop(self) -> None:
        """Let the writer finish what it holds (within STOP_SECONDS), then stop it. It is not
        cancelled mid-write unless that time runs out: a batch cut off between its commit and
        its acknowledgement would be written again."""
        task, self._task = self._task, None
        self._stopping = True
        self._wake.set()
        if task is not None:
            done, _ = await asyncio.wait({task}, timeout=STOP_SECONDS)
            if not done:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        elif self._pending:  # never started (or stopped already): one bounded attempt
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flush(), STOP_SECONDS)
        if self._pending:
            log.error("transcripts: %d chat messages could not be written", self.pending)

    async def _run(self) -> None:
        """Until stopped, and once more after: whatever happens in a flush, the writer goes on
        (a surprise is logged; the messages stay held for the next attempt)."""
        while True:
            await self._wake.wait()
            if not self._stopping:
                # A moment for the rest of a conversation's burst: at 200 chat messages a
                # second, one INSERT for ten of them rather than one each.
                await asyncio.sleep(GATHER_SECONDS)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("transcripts: writing failed; trying again")
                await asyncio.sleep(_RETRY_DELAYS[-1])
                self._wake.set()
            if self._stopping and not self._wake.is_set():
                return

    async def flush(self) -> None:
        """Write everything held, retrying while the database is away."""
        failures = 0
        while self._pending:
            batch = self._pending[:BATCH]
            try:
                await self._write(batch)
            except Exception as error:
                if not is_transient_storage_error(error) and await self._write_one_by_one(batch):
                    failures = 0
                    continue
                if self._stopping and failures >= len(_RETRY_DELAYS):
                    return  # stopping: a few attempts, not a wait without end
                delay = _RETRY_DELAYS[min(failures, len(_RETRY_DELAYS) - 1)]
                log.warning("transcripts: the database is away (%r); retrying", error)
                failures += 1
                await asyncio.sleep(delay)
                continue
            failures = 0
            del self._pending[: len(batch)]

    async def _write(self, batch: list[Said]) -> None:
        async with session_scope(self._sessions) as session:
            await repository.add(session, [said.row() for said in batch])

    async def _write_one_by_one(self, batch: list[Said]) -> bool:
        """A batch the database refused as a whole (a message of a call deleted meanwhile):
        each message on its own, so that one cannot cost the others; each is let go once
        written or refused for good. False if the database went away meanwhile (what is left
        stays held, nothing written is written again)."""
        for said in batch:
            try:
                await self._write([said])
            except Exception as error:
                if is_transient_storage_error(error):
                    return False
                log.error("transcripts: a message of %s was not kept (%r)", said.call_id, error)
            self._pending.pop(0)
        return True


def message_id(row_id: int) -> str:
    return f"{MESSAGE_ID_PREFIX}{row_id}"


def row_id(message: str) -> int:
    """The row of a message id (its pattern checked by the API)."""
    return int(message.removeprefix(MESSAGE_ID_PREFIX))


async def transcript(
    session: AsyncSession, *, partner_id: int, call_id: str, limit: int, after: str | None
) -> Page[AnyRow]:
    """A page of the partner's call's messages, in the order they were said."""
    if not _CALL_ID.match(call_id):
        raise CallNotFound(f"No call {call_id} for this partner.")
    if not await repository.is_partners_call(session, partner_id=partner_id, call_id=call_id):
        raise CallNotFound(f"No call {call_id} for this partner.")
    return await repository.page_of(
        session,
        partner_id=partner_id,
        call_id=call_id,
        after=row_id(after) if after else None,
        limit=limit,
    )


async def for_console(session: AsyncSession, *, agent_id: int, call_id: str) -> dict[str, Any]:
    """The `transcript` message of a console: a call the agent was on, its last messages."""
    rows = await repository.of_agents_call(
        session, agent_id=agent_id, call_id=call_id, limit=CONSOLE_MESSAGES
    )
    if rows is None:
        raise CallNotFound("This console's agent was not on that call.")
    return {"type": "transcript", "call_id": call_id, "messages": [said(row) for row in rows]}


async def for_customer(session: AsyncSession, *, call_id: str) -> dict[str, Any]:
    """The `transcript` message of a customer's page (its own call, reloaded mid-call): its
    last messages, the agents by name only."""
    rows = await repository.last_of(session, call_id=call_id, limit=CONSOLE_MESSAGES)
    messages = []
    for row in rows:
        message = said(row)
        if message["agent"] is not None:
            message["agent"] = {"name": message["agent"]["name"]}
        messages.append(message)
    return {"type": "transcript", "call_id": call_id, "messages": messages}


def said(row: AnyRow) -> dict[str, Any]:
    """One message as the console and the API show it."""
    return {
        "id": message_id(row.id),
        "at": iso_utc(row.sent_at),
        "from": row.sender,
        "agent": {"code": row.agent_code, "name": row.agent_name} if row.agent_code else None,
        "text": row.text,
        "file": file_of(row),
    }


def file_of(row: AnyRow) -> dict[str, Any] | None:
    """The file a transcript's message sent, if any (calls/files.py)."""
    if row.file_id is None:
        return None
    return {
        "id": row.file_id,
        "name": row.file_name,
        "content_type": row.file_content_type,
        "size": row.file_size,
    }
