"""Queries of the files sent in calls' chats (calls/files.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import CALL, FILE, CallStatus
from portero.kit.db import AnyRow
from portero.kit.tenancy import across_partners, for_partner


async def add(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(insert(FILE).values(**values))


async def call_in_progress(session: AsyncSession, call_id: str) -> AnyRow | None:
    """The call's partner, launch, play session and agent, if it is in progress (its id from
    the page's own session)."""
    query = select(
        CALL.c.id, CALL.c.partner_id, CALL.c.launch_id, CALL.c.play_session_id, CALL.c.agent_id
    ).where(CALL.c.id == call_id, CALL.c.status == CallStatus.connected.value)
    found: AnyRow | None = (await session.execute(across_partners(query))).one_or_none()
    return found


def _with_call() -> Any:
    return select(
        FILE.c.id,
        FILE.c.call_id,
        FILE.c.name,
        FILE.c.content_type,
        FILE.c.size,
        CALL.c.status.label("call_status"),
        CALL.c.launch_id,
        CALL.c.play_session_id,
        CALL.c.agent_id,
    ).join(CALL, CALL.c.id == FILE.c.call_id)


async def of_call_in_progress(session: AsyncSession, file_id: str) -> AnyRow | None:
    """The file with its call's parties, for a page of that call (checked by the caller)."""
    query = _with_call().where(FILE.c.id == file_id)
    found: AnyRow | None = (await session.execute(across_partners(query))).one_or_none()
    return found


async def of_partners_call(
    session: AsyncSession, *, partner_id: int, call_id: str, file_id: str
) -> AnyRow | None:
    query = _with_call().where(FILE.c.id == file_id, FILE.c.call_id == call_id)
    scoped = for_partner(query, CALL, partner_id)
    found: AnyRow | None = (await session.execute(scoped)).one_or_none()
    return found
