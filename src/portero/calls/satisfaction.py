"""The customer's rating of a completed call: a score from 1 to 5 and, if they like, a comment;
given once, from the call's own page, within `RATING_WINDOW` of the call's end.

The call's end has ended the page's play session (calls/ending.py), so its token is taken here
for what it still proves: which link, and which browser tab, made the call. A revoked link, a
disabled partner or one that no longer offers calls takes no rating.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import call_repository as calls
from portero.calls import records
from portero.calls.errors import CallNotRatable, NotACallSession
from portero.calls.events import call_event
from portero.calls.outbox import Outbox
from portero.calls.records import CallRecord
from portero.launches import session_repository
from portero.launches.opening import standing, token_hash_of
from portero.products.registry import ProductName

# Long enough for a customer who comes back to the tab later in the day; short enough that a
# rating is about a call they remember.
RATING_WINDOW = timedelta(hours=24)
MAX_COMMENT = 1000


async def rate(
    session: AsyncSession,
    outbox: Outbox,
    *,
    token: str | None,
    score: int,
    comment: str | None,
    now: datetime,
) -> CallRecord:
    """The rating kept with the call (and its `call.rated` event): the call as now recorded.
    The console of the agent who took it shows it in its recent calls."""
    found = await session_repository.session_by_token_hash(session, token_hash_of(token))
    row = standing(None if found is None else dict(found._mapping))
    if row["product"] != ProductName.call:
        raise NotACallSession()
    partner_id = row["partner_id"]
    latest = await calls.latest_of_launch(
        session, partner_id=partner_id, launch_id=row["launch_id"]
    )
    rated = latest is not None and await calls.rate(
        session,
        call_id=latest.id,
        play_session_id=row["id"],
        score=score,
        comment=(comment or "").strip() or None,
        now=now,
        ended_since=now - RATING_WINDOW,
    )
    if not rated or latest is None:
        raise CallNotRatable()
    await call_event(session, partner_id=partner_id, call_id=latest.id, event_type="call.rated")
    if latest.agent_id is not None:
        outbox.refresh_agent(latest.agent_id)
    return await records.get_call(session, partner_id=partner_id, call_id=latest.id)
