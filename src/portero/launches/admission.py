"""Whether an opened link lets its player in: the checks that come after the claim.

The claim (`opening.open_link`) is the hot path's one statement and knows nothing of the partner
beyond its id. Before the player is sent to the product, the partner must still be active and
still offer the product (as this process last saw it: at most `auth_cache_seconds` old), and the
product may add a check of its own (a call link whose call is live in another browser). A refused
opening is undone (the launch back to `issued` if this opening claimed it, its play session
deleted), so that the link works again once the cause is gone, and the player gets the error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.launches import repository, session_repository
from portero.launches.errors import LinkContext, LinkUnusable, LinkWithdrawn
from portero.launches.opening import OpenedLaunch
from portero.partners.auth import may_offer
from portero.partners.schemas import PartnerSnapshot

# A product's own check: None lets the player in, a LinkUnusable class refuses the opening.
OpeningGuard = Callable[[AsyncSession, OpenedLaunch], Awaitable[type[LinkUnusable] | None]]
_GUARDS: dict[str, OpeningGuard] = {}


def guard_openings(product: str, guard: OpeningGuard) -> None:
    """`guard` decides, after each claim of a `product` link, whether its player may go in."""
    _GUARDS[product] = guard


async def admit(
    sessions: async_sessionmaker[AsyncSession],
    opened: OpenedLaunch,
    *,
    partner: PartnerSnapshot | None,
) -> None:
    """Return if the player may go in; otherwise undo the opening and raise why not."""
    refusal: type[LinkUnusable] | None = None
    if partner is None or not may_offer(
        status=partner.status, products=partner.products, product=opened.product
    ):
        refusal = LinkWithdrawn
    guard = _GUARDS.get(opened.product)
    if refusal is None and guard is None:
        return  # the common case: no query
    async with session_scope(sessions) as session:
        if refusal is None and guard is not None:
            refusal = await guard(session, opened)
        if refusal is None:
            return
        await session_repository.delete_session(session, opened.session_id)
        await repository.unclaim(session, launch_id=opened.launch_id, opened_at=opened.opened_at)
        row = await repository.link_context_by_id(session, opened.launch_id)
    context = None
    if row is not None:
        context = LinkContext(
            language=row.language,
            frame_ancestors=tuple(row.frame_ancestors or ()),
            return_url=row.return_url or row.partner_return_url,
        )
    raise refusal(context=context)
