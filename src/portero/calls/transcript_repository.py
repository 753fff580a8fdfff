"""Queries of the calls' transcripts (calls/transcripts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import AGENT, CALL, FILE, MESSAGE
from portero.calls.transfer_repository import took_part
from portero.kit.db import AnyRow
from portero.kit.pagination import Page, fetch_page
from portero.kit.tenancy import across_partners, for_partner


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One INSERT for every message of the batch."""
    await session.execute(insert(MESSAGE), list(rows))


def _messages() -> Select[Any]:
    return (
        select(
            MESSAGE.c.id,
            MESSAGE.c.sent_at,
            MESSAGE.c.sender,
            MESSAGE.c.text,
            AGENT.c.code.label("agent_code"),
            AGENT.c.name.label("agent_name"),
            FILE.c.id.label("file_id"),
            FILE.c.name.label("file_name"),
            FILE.c.content_type.label("file_content_type"),
            FILE.c.size.label("file_size"),
        )
        .join(CALL, CALL.c.id == MESSAGE.c.call_id)
        .outerjoin(AGENT, AGENT.c.id == MESSAGE.c.agent_id)
        .outerjoin(FILE, FILE.c.id == MESSAGE.c.file_id)
        # Messages of one call written by two processes interleave by the time each was relayed.
        .order_by(MESSAGE.c.sent_at, MESSAGE.c.id)
    )


async def is_partners_call(session: AsyncSession, *, partner_id: int, call_id: str) -> bool:
    query = for_partner(select(CALL.c.id).where(CALL.c.id == call_id), CALL, partner_id)
    return (await session.execute(query)).first() is not None


async def page_of(
    session: AsyncSession, *, partner_id: int, call_id: str, after: int | None, limit: int
) -> Page[AnyRow]:
    """The call's messages in the order they were said, from just after the message `after`."""
    query = for_partner(_messages().where(MESSAGE.c.call_id == call_id), CALL, partner_id)
    if after is not None:
        # After that message in the transcript's own order (time, then id).
        said_at = select(MESSAGE.c.sent_at).where(
            MESSAGE.c.call_id == call_id, MESSAGE.c.id == after
        )
        query = query.where(
            (MESSAGE.c.sent_at > said_at.scalar_subquery())
            | ((MESSAGE.c.sent_at == said_at.scalar_subquery()) & (MESSAGE.c.id > after))
        )
    return await fetch_page(session, query, limit=limit)


async def of_agents_call(
    session: AsyncSession, *, agent_id: int, call_id: str, limit: int
) -> list[AnyRow] | None:
    """The last `limit` messages of a call the agent was on; None if it was not."""
    answered = select(CALL.c.id).where(
        CALL.c.id == call_id, took_part(agent_id), CALL.c.answered_at.is_not(None)
    )
    if (await session.execute(across_partners(answered))).first() is None:
        return None
    return await last_of(session, call_id=call_id, limit=limit)


async def last_of(session: AsyncSession, *, call_id: str, limit: int) -> list[AnyRow]:
    """The last `limit` messages of a call, in the order they were said (its id from a
    console's own state)."""
    query = (
        _messages()
        .where(MESSAGE.c.call_id == call_id)
        .order_by(None)
        .order_by(MESSAGE.c.sent_at.desc(), MESSAGE.c.id.desc())
        .limit(limit)
    )
    rows = list((await session.execute(across_partners(query))).all())
    return rows[::-1]
