"""Files in a call's chat (docs/products/calls.md, "Files in the chat"): images and PDF
documents, told by their content and never by their name or the browser's word, kept in the
file store (blobs/) under an id Portero makes; readable by the call's two parties while it is in
progress, and by the partner through its API.

Sending one is three steps, none of which holds a transaction across the store's network call:
the page's right to send to the call is checked; the bytes are stored; the file's row is written
in a transaction that checks again that the call is still in progress with the same agent. A
failure after the bytes were stored removes them; a process that dies in between leaves bytes
that no row names, never a row without its bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import filetype
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import call_repository, directory
from portero.calls import file_repository as repository
from portero.calls.errors import CallNotActive, FileNotFound, FileRefused, NotACallSession
from portero.calls.models import CallStatus, MessageSender
from portero.kit.db import AnyRow
from portero.launches.opening import PlayContext
from portero.products.registry import ProductName

# What may be sent, as its content says; the extension names a file that came without a name.
ALLOWED = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
MAX_NAME = 200
_SEPARATORS = re.compile(r"[\\/]")


@dataclass(frozen=True, slots=True)
class Party:
    """Who sends to a call: its customer's page, or the console of the agent on it."""

    side: MessageSender
    call_id: str
    partner_id: int
    agent_id: int  # the agent on the call: the sender, or the one the customer talks to


async def party(session: AsyncSession, context: PlayContext, *, call_id: str | None) -> Party:
    """The page's side of its call in progress; CallNotActive if it has none."""
    if context.product == ProductName.call:
        latest = await call_repository.latest_of_launch(
            session, partner_id=context.partner_id, launch_id=context.launch_id
        )
        if latest is None or latest.play_session_id not in (None, context.session_id):
            raise CallNotActive()
        call = await repository.call_in_progress(session, latest.id)
        if call is None or call.agent_id is None:
            raise CallNotActive()
        return Party(MessageSender.customer, call.id, context.partner_id, int(call.agent_id))
    if context.product == ProductName.console:
        code = str(context.params.get("agent_code", ""))
        agent = await directory.agent_id(session, partner_id=context.partner_id, code=code)
        call = await repository.call_in_progress(session, call_id) if call_id else None
        if agent is None or call is None or call.agent_id != agent:
            raise CallNotActive("That call is not in progress on this console.")
        return Party(MessageSender.agent, call.id, context.partner_id, agent)
    raise NotACallSession()


def checked(data: bytes, name: str) -> tuple[str, str]:
    """The file's content type, from its first bytes, and a name to show it by."""
    content_type = filetype.guess_mime(data[:8192])
    if content_type not in ALLOWED:
        raise FileRefused()
    return content_type, display_name(name, content_type)


def display_name(name: str, content_type: str) -> str:
    """The last part of what the browser called it, printable characters only, at most
    MAX_NAME of them; a file without a usable name is "file.<its type's extension>"."""
    base = _SEPARATORS.split(name)[-1]
    base = "".join(char for char in base if char.isprintable()).strip().strip(".")
    return base[:MAX_NAME].strip() or f"file.{ALLOWED[content_type]}"


async def record(
    session: AsyncSession,
    sender: Party,
    *,
    file_id: str,
    name: str,
    content_type: str,
    data: bytes,
    now: datetime,
) -> dict[str, Any]:
    """The file's row, if the call is still in progress with the same agent (it may have
    ended, or been handed over, while the bytes were stored); the file as the pages show it."""
    call = await repository.call_in_progress(session, sender.call_id)
    if call is None or call.agent_id != sender.agent_id:
        raise CallNotActive()
    values = {
        "id": file_id,
        "call_id": sender.call_id,
        "sender": sender.side.value,
        "agent_id": sender.agent_id,
        "name": name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "created_at": now,
    }
    await repository.add(session, values)
    return shown(values)


def shown(row: Any) -> dict[str, Any]:
    """A file as a chat message carries it."""
    return {
        "id": row["id"],
        "name": row["name"],
        "content_type": row["content_type"],
        "size": row["size"],
    }


async def readable_by(session: AsyncSession, context: PlayContext, file_id: str) -> AnyRow:
    """The file, if the page is one of its call's two parties and the call is in progress."""
    row = await repository.of_call_in_progress(session, file_id)
    if row is None or row.call_status != CallStatus.connected.value:
        raise FileNotFound()
    if context.product == ProductName.call:
        mine = row.launch_id == context.launch_id and row.play_session_id in (
            None,
            context.session_id,
        )
    elif context.product == ProductName.console:
        code = str(context.params.get("agent_code", ""))
        agent = await directory.agent_id(session, partner_id=context.partner_id, code=code)
        mine = agent is not None and row.agent_id == agent
    else:
        raise NotACallSession()
    if not mine:
        raise FileNotFound()
    return row


async def of_partner(
    session: AsyncSession, *, partner_id: int, call_id: str, file_id: str
) -> AnyRow:
    row = await repository.of_partners_call(
        session, partner_id=partner_id, call_id=call_id, file_id=file_id
    )
    if row is None:
        raise FileNotFound()
    return row
