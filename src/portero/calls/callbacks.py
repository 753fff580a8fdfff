"""Callback requests: a customer whose call nobody answered (the desk was closed, or nobody
took it in time) asks to be called back, from the call's own page, once per call
and while no other of the link is open, within `CALLBACK_WINDOW` of the call's end: a
preferred time and a short message, both optional.

An open request is listed on the consoles of the agents who could have taken the call, and in
the partner's API (`/v1/callbacks`); an agent (from the console) or the partner (through the
API) marks it done. Each step fires its event: `callback.requested`, `callback.done`.

The call's end has ended the page's play session, so its token is taken for what it still
proves, as for a rating (calls/satisfaction.py): which link, and which browser tab.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import call_repository as calls
from portero.calls import callback_repository as repository
from portero.calls.callback_schemas import CallbackOut
from portero.calls.errors import CallbackNotAllowed, CallbackNotFound, NotACallSession
from portero.calls.models import CallbackStatus, CallStatus
from portero.calls.outbox import Outbox
from portero.kit.errors import InvalidField
from portero.kit.ids import new_id
from portero.kit.pagination import Page
from portero.launches import session_repository
from portero.launches.opening import standing, token_hash_of
from portero.products.registry import ProductName
from portero.webhooks import events

CALLBACK_WINDOW = timedelta(hours=24)
MAX_MESSAGE = 500
# How far ahead a customer may ask to be called: a desk plans its week, not its year.
FURTHEST_PREFERRED = timedelta(days=30)
_CALLBACK_ID = re.compile(r"^cb_[0-9a-z]{26}$")
_CONSOLE_LIMIT = 20


async def request(
    session: AsyncSession,
    outbox: Outbox,
    *,
    token: str | None,
    preferred_at: datetime | None,
    message: str | None,
    now: datetime,
) -> CallbackOut:
    """The request kept with the page's missed call; its agents' consoles are told."""
    found = await session_repository.session_by_token_hash(session, token_hash_of(token))
    row = standing(None if found is None else dict(found._mapping))
    if row["product"] != ProductName.call:
        raise NotACallSession()
    if preferred_at is not None and not now - timedelta(minutes=5) <= preferred_at <= (
        now + FURTHEST_PREFERRED
    ):
        raise InvalidField(
            "preferred_at", "invalid", "The preferred time must be within the next 30 days."
        )
    partner_id = row["partner_id"]
    latest = await calls.latest_of_launch(
        session, partner_id=partner_id, launch_id=row["launch_id"]
    )
    if latest is None or not _may_ask(latest, play_session_id=row["id"], now=now):
        raise CallbackNotAllowed()
    # One open request per link: after "try again", another missed call does not add one.
    if await repository.open_for_launch(session, partner_id=partner_id, launch_id=row["launch_id"]):
        raise CallbackNotAllowed()
    callback_id = new_id("cb")
    values = {
        "id": callback_id,
        "partner_id": partner_id,
        "call_id": latest.id,
        "status": CallbackStatus.open.value,
        "preferred_at": preferred_at,
        "message": (message or "").strip() or None,
        "created_at": now,
    }
    if not await repository.insert_callback(session, values):
        raise CallbackNotAllowed()
    await _event(session, partner_id, callback_id, "callback.requested")
    for agent_id in await repository.agents_to_tell(
        session, partner_id=partner_id, call_id=latest.id
    ):
        outbox.refresh_agent(agent_id)
    return await get(session, partner_id=partner_id, callback_id=callback_id)


def _may_ask(call: Any, *, play_session_id: str, now: datetime) -> bool:
    ended_recently = call.ended_at is not None and call.ended_at >= now - CALLBACK_WINDOW
    own = call.play_session_id in (None, play_session_id)
    return call.status == CallStatus.missed.value and ended_recently and own


async def mark_done(
    session: AsyncSession,
    outbox: Outbox,
    *,
    partner_id: int,
    callback_id: str,
    now: datetime,
    agent_id: int | None = None,
) -> CallbackOut:
    """Done by that agent (one their console lists), or through the API (no agent). Marking a
    done request done again answers it as it is, and fires nothing."""
    current = await get(session, partner_id=partner_id, callback_id=callback_id)
    if agent_id is not None and not await repository.agent_may_take(
        session, partner_id=partner_id, callback_id=callback_id, agent_id=agent_id
    ):
        raise CallbackNotFound(f"No callback request {callback_id} for this console.")
    if current.status == CallbackStatus.done:
        return current
    if await repository.mark_done(
        session,
        partner_id=partner_id,
        callback_id=callback_id,
        now=now,
        by="api" if agent_id is None else "agent",
        agent_id=agent_id,
    ):
        await _event(session, partner_id, callback_id, "callback.done")
        for told in await repository.agents_to_tell(
            session, partner_id=partner_id, call_id=current.call_id
        ):
            outbox.refresh_agent(told)
    return await get(session, partner_id=partner_id, callback_id=callback_id)


async def get(session: AsyncSession, *, partner_id: int, callback_id: str) -> CallbackOut:
    row = None
    if _CALLBACK_ID.match(callback_id):
        row = await repository.callback(session, partner_id=partner_id, callback_id=callback_id)
    if row is None:
        raise CallbackNotFound(f"No callback request {callback_id} for this partner.")
    return CallbackOut.of(row)


async def list_callbacks(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int,
    starting_after: str | None,
    status: CallbackStatus | None,
) -> Page[CallbackOut]:
    page = await repository.callbacks(
        session, partner_id=partner_id, limit=limit, after=starting_after, status=status
    )
    return Page([CallbackOut.of(row) for row in page.items], page.has_more)


async def open_for_console(
    session: AsyncSession, *, partner_id: int, agent_id: int
) -> list[dict[str, Any]]:
    """What an agent's console lists: the open requests they could take, oldest first."""
    rows = await repository.open_for_agent(
        session, partner_id=partner_id, agent_id=agent_id, limit=_CONSOLE_LIMIT
    )
    return [CallbackOut.of(row).model_dump(mode="json") for row in rows]


async def _event(session: AsyncSession, partner_id: int, callback_id: str, kind: str) -> None:
    async def data() -> Any:
        return await get(session, partner_id=partner_id, callback_id=callback_id)

    await events.record(session, partner_id=partner_id, event_type=kind, data=data)
