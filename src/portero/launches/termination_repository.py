"""The queries of terminating a player ("kick"): one UPDATE per table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.tenancy import for_partner
from portero.launches.models import LaunchStatus
from portero.launches.repository import LAUNCH
from portero.launches.session_repository import SESSION


async def end_sessions_of_player(
    session: AsyncSession, *, partner_id: int, player_key: int, now: datetime, reason: str
) -> int:
    """End every live play session of the player's launches; how many."""
    launches = for_partner(
        select(LAUNCH.c.id).where(LAUNCH.c.player_id == player_key), LAUNCH, partner_id
    )
    result = await session.execute(
        update(SESSION)
        .where(
            SESSION.c.launch_id.in_(launches),
            SESSION.c.ended_at.is_(None),
            SESSION.c.expires_at > now,
            SESSION.c.idle_expires_at > now,
        )
        .values(ended_at=now, end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0))


async def end_launches_of_player(
    session: AsyncSession, *, partner_id: int, player_key: int, now: datetime
) -> list[str]:
    """Every unopened launch of the player revoked, every opened one ended, in one statement;
    the ids of those revoked."""
    live = or_(
        and_(LAUNCH.c.status == LaunchStatus.issued.value, LAUNCH.c.expires_at > now),
        LAUNCH.c.status == LaunchStatus.opened.value,
    )
    revoked_or_ended = case(
        (LAUNCH.c.status == LaunchStatus.issued.value, LaunchStatus.revoked.value),
        else_=LaunchStatus.ended.value,
    )
    statement = for_partner(
        update(LAUNCH)
        .where(LAUNCH.c.player_id == player_key, live)
        .values(status=revoked_or_ended, ended_at=now)
        .returning(LAUNCH.c.id, LAUNCH.c.status),
        LAUNCH,
        partner_id,
    )
    rows = (await session.execute(statement)).all()
    return [row.id for row in rows if row.status == LaunchStatus.revoked.value]
