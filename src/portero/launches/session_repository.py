"""Every query on play sessions: the browser-side continuation of an opened launch."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, delete, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.tenancy import across_partners
from portero.launches.models import PlaySession
from portero.launches.repository import LAUNCH, PLAYER
from portero.partners.models import Partner
from portero.products.registry import REUSABLE_LINK_PRODUCTS
from portero.webhooks.models import EndpointStatus, WebhookEndpoint

SESSION = cast(Table, PlaySession.__table__)


async def session_by_token_hash(session: AsyncSession, token_hash: bytes) -> Row[Any] | None:
    query = (
        select(
            SESSION,
            LAUNCH.c.status.label("launch_status"),
            LAUNCH.c.partner_id,
            LAUNCH.c.product,
            LAUNCH.c.params,
            LAUNCH.c.language,
            LAUNCH.c.currency,
            LAUNCH.c.return_url,
            LAUNCH.c.partner_session_id,
            LAUNCH.c.limits,
            Partner.return_url.label("partner_return_url"),
            Partner.wallet_mode,
            Partner.status.label("partner_status"),
            Partner.products.label("partner_products"),
            Partner.currency_terms.label("partner_terms"),
            Partner.autoplay.label("partner_autoplay"),
            PLAYER.c.id.label("player_key"),
            PLAYER.c.external_id,
            PLAYER.c.nickname,
            PLAYER.c.name,
            exists()
            .where(
                WebhookEndpoint.partner_id == LAUNCH.c.partner_id,
                WebhookEndpoint.status == EndpointStatus.enabled,
            )
            .label("webhooks"),
        )
        .select_from(
            SESSION.join(LAUNCH, LAUNCH.c.id == SESSION.c.launch_id)
            .join(Partner, Partner.id == LAUNCH.c.partner_id)
            .join(PLAYER, PLAYER.c.id == LAUNCH.c.player_id)
        )
        .where(SESSION.c.token_hash == token_hash)
    )
    # Across partners: the play session's token says which launch (and partner) it is.
    return (await session.execute(across_partners(query))).one_or_none()


async def insert_session(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(_INSERT_SESSION, dict(values))


_INSERT_SESSION = insert(SESSION)


async def touch_session(
    session: AsyncSession, *, session_id: str, now: datetime, idle_expires_at: datetime
) -> None:
    await session.execute(
        update(SESSION)
        .where(SESSION.c.id == session_id)
        .values(last_seen_at=now, idle_expires_at=idle_expires_at)
    )


async def set_wallet_sid(session: AsyncSession, *, session_id: str, sid: str) -> None:
    """The sid a seamless wallet's `check` answered: every later call of the session uses it."""
    await session.execute(update(SESSION).where(SESSION.c.id == session_id).values(wallet_sid=sid))


async def delete_session(session: AsyncSession, session_id: str) -> None:
    """A play session that never served anything (its opening was refused after the claim)."""
    await session.execute(delete(SESSION).where(SESSION.c.id == session_id))


async def end_sessions_of(
    session: AsyncSession, *, launch_id: str, now: datetime, reason: str | None = None
) -> None:
    await session.execute(
        update(SESSION)
        .where(SESSION.c.launch_id == launch_id, SESSION.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


async def count_loss(
    session: AsyncSession, *, session_id: str, stake: int, payout: int, loss_limit: int | None
) -> int | None:
    """Add a drawn round's loss (stake minus payout) to its session's running net loss, in the
    round's transaction; the new figure. With a loss limit, only if the stake fits within it
    at this moment (the row's lock decides between two rounds of one session): None when it
    did not, and nothing changed."""
    statement = update(SESSION).where(SESSION.c.id == session_id)
    if loss_limit is not None:
        statement = statement.where(SESSION.c.net_loss + stake <= loss_limit)
    statement = statement.values(net_loss=SESSION.c.net_loss + (stake - payout))
    counted = (await session.execute(statement.returning(SESSION.c.net_loss))).scalar_one_or_none()
    return None if counted is None else int(counted)


async def acknowledge_reality_check(
    session: AsyncSession, *, session_id: str, due_at: datetime, now: datetime, next_due: datetime
) -> bool:
    """Move a reality check that is due (as `due_at`, read with the session) to `next_due`;
    False when it is not due, or another request acknowledged it first."""
    result = await session.execute(
        update(SESSION)
        .where(
            SESSION.c.id == session_id,
            SESSION.c.reality_check_due_at == due_at,
            SESSION.c.reality_check_due_at <= now,
        )
        .values(reality_check_due_at=next_due)
    )
    return bool(getattr(result, "rowcount", 0))


async def end_stale_sessions(session: AsyncSession, *, now: datetime) -> int:
    """End the launches whose play session is past its idle or maximum lifetime."""
    stale = select(SESSION.c.launch_id).where(
        SESSION.c.ended_at.is_(None),
        or_(SESSION.c.expires_at <= now, SESSION.c.idle_expires_at <= now),
    )
    ended = await session.execute(
        update(LAUNCH)
        .where(
            LAUNCH.c.status == "opened",
            LAUNCH.c.id.in_(stale),
            LAUNCH.c.product.not_in(REUSABLE_LINK_PRODUCTS),
        )
        .values(status="ended", ended_at=now)
    )
    await session.execute(
        update(SESSION)
        .where(
            SESSION.c.ended_at.is_(None),
            or_(SESSION.c.expires_at <= now, SESSION.c.idle_expires_at <= now),
        )
        .values(ended_at=now)
    )
    return int(getattr(ended, "rowcount", 0))
