"""Opening a link and the play session it starts (the player-facing half)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.errors import PorteroError
from portero.kit.ids import new_id
from portero.kit.secrets import hash_token
from portero.launches import repository, session_repository
from portero.launches.errors import (
    CallEnded,
    LaunchAlreadyUsed,
    LaunchExpired,
    LaunchNotFound,
    LaunchRevoked,
    LinkContext,
    SessionInvalid,
    SessionWithdrawn,
)
from portero.launches.limits import SessionLimits, why_ended
from portero.launches.models import LaunchStatus
from portero.launches.store import LaunchStore, NewPlaySession
from portero.launches.tokens import lookup_hash
from portero.partners.auth import may_offer
from portero.products.registry import REUSABLE_LINK_PRODUCTS, product_spec

SESSION_TOKEN_PREFIX = "pss_"  # noqa: S105 (a prefix, not a secret)
# Writing last_seen on every request of a busy page would turn reads into writes; a minute's
# precision is plenty for an idle timeout counted in minutes.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class OpenedLaunch:
    launch_id: str
    partner_id: int
    product: str
    language: str
    page_path: str
    session_id: str
    session_token: str
    opened_at: datetime  # when this opening claimed the launch


@dataclass(frozen=True, slots=True)
class PlayContext:
    """What a product page and its API learn from a valid play session."""

    session_id: str
    launch_id: str
    partner_id: int
    product: str
    params: dict[str, Any]
    language: str
    currency: str
    player_key: int  # the player's row (player.id), for tables that belong to the player
    player_id: str  # the partner's id for the player
    nickname: str | None
    name: str | None
    return_url: str | None
    expires_at: datetime
    idle_expires_at: datetime
    # The partner's wallet mode (wallet/modes.py), and the sids a seamless wallet knows the
    # session by: the one its `check` answered, else the partner's own (partner_session_id).
    wallet_mode: str = "demo"
    wallet_sid: str | None = None
    partner_session_id: str | None = None
    # Responsible gaming (launches/limits.py): the launch's limits, when the session started,
    # its net loss so far and when its next reality check is due (as read with the session).
    limits: SessionLimits | None = None
    started_at: datetime | None = None
    net_loss: int = 0
    reality_check_due_at: datetime | None = None
    # Whether the partner has an enabled webhook endpoint (as read with the session): a round
    # without one records no event, and may take the round path's single-statement way.
    webhooks: bool = True
    # The partner's per-currency terms as stored (partners/terms.py `terms_for`), read with
    # the session so that a round needs no query of its own for its table limits.
    partner_terms: dict[str, Any] | None = None
    # Whether the partner lets its slot pages offer autoplay (`partner configure`).
    partner_autoplay: bool = True


async def open_link(
    store: LaunchStore,
    *,
    token: str,
    max_lifetime_seconds: int,
    client_ip: str | None = None,
) -> OpenedLaunch:
    """First use of a link: claim the launch and start the play session bound to this browser.

    Raises LaunchNotFound, LaunchExpired, LaunchRevoked or LaunchAlreadyUsed otherwise.
    """
    now = utcnow()
    token_hash = lookup_hash(token)
    raw = SESSION_TOKEN_PREFIX + secrets.token_urlsafe(32)
    play_session = NewPlaySession(
        id=new_id("ps"),
        token_hash=hash_token(raw),
        client_ip=client_ip,
        expires_at=now + timedelta(seconds=max_lifetime_seconds),
    )
    claimed = await store.open_launch(token_hash=token_hash, now=now, play_session=play_session)
    if claimed is None:
        raise await _why_unusable(store, token_hash)
    store.after_commit(metrics.LAUNCHES_OPENED.labels(str(claimed.partner_id), claimed.product).inc)
    return OpenedLaunch(
        launch_id=claimed.id,
        partner_id=claimed.partner_id,
        product=claimed.product,
        language=claimed.language,
        page_path=product_spec(claimed.product).page_path(claimed.id),
        session_id=play_session.id,
        session_token=raw,
        opened_at=now,
    )


async def _why_unusable(store: LaunchStore, token_hash: bytes) -> PorteroError:
    state = await store.link_state(token_hash)
    if state is None:
        return LaunchNotFound("This link does not exist.")
    context = LinkContext(
        language=state.language,
        frame_ancestors=state.frame_ancestors,
        return_url=state.return_url,
    )
    if state.status == LaunchStatus.revoked:
        return LaunchRevoked(context=context)
    if state.status == LaunchStatus.ended and state.product in REUSABLE_LINK_PRODUCTS:
        return CallEnded(context=context)
    if state.status == LaunchStatus.ended or (
        state.status == LaunchStatus.opened and state.product not in REUSABLE_LINK_PRODUCTS
    ):
        return LaunchAlreadyUsed(context=context)
    # Issued but past its time (the sweep records the expiry), or already marked expired.
    return LaunchExpired(context=context)


async def resume(session: AsyncSession, *, token: str | None) -> PlayContext:
    """The play session behind a bearer token, refreshed; the product's every call goes here."""
    row = await session_repository.session_by_token_hash(session, token_hash_of(token))
    resumed = resumed_from(None if row is None else dict(row._mapping), utcnow())
    if resumed.touch:
        await session_repository.touch_session(
            session,
            session_id=resumed.context.session_id,
            now=resumed.now,
            idle_expires_at=resumed.context.idle_expires_at,
        )
    return resumed.context


def token_hash_of(token: str | None) -> bytes:
    if not token:
        raise SessionInvalid("No play session token was given.")
    return hash_token(token)


@dataclass(frozen=True, slots=True)
class Resumed:
    context: PlayContext
    now: datetime
    touch: bool  # last_seen_at (and the idle expiry) is to be written: a minute has passed


def standing(row: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The session read by its token, if its link was not revoked and its partner still offers
    its product, whether or not the session itself is over (a call's rating takes a session its
    call has ended: calls/satisfaction.py)."""
    if row is None or row["launch_status"] == LaunchStatus.revoked:
        raise SessionInvalid()
    # Before the session's own end: a page whose partner lost the product says so, not "ended".
    if not may_offer(
        status=row["partner_status"], products=row["partner_products"] or (), product=row["product"]
    ):
        raise SessionWithdrawn()
    return row


def resumed_from(row: Mapping[str, Any] | None, now: datetime) -> Resumed:
    """The session read by its token (session_repository, pg_sessions), checked: raises the
    error the page shows when it cannot go on. JSON columns come decoded."""
    row = standing(row)
    limits = SessionLimits.stored(row["limits"])
    if row["ended_at"] is not None or now >= row["expires_at"] or now >= row["idle_expires_at"]:
        raise why_ended(
            limits=limits,
            started_at=row["created_at"],
            idle_expires_at=row["idle_expires_at"],
            ended_at=row["ended_at"],
            end_reason=row["end_reason"],
            now=now,
        )
    idle_expires_at = row["idle_expires_at"]
    touch = now - row["last_seen_at"] >= _TOUCH_EVERY
    if touch:
        idle_expires_at = min(now + timedelta(seconds=row["idle_seconds"]), row["expires_at"])
    context = PlayContext(
        session_id=row["id"],
        launch_id=row["launch_id"],
        partner_id=row["partner_id"],
        product=row["product"],
        params=dict(row["params"] or {}),
        language=row["language"],
        currency=row["currency"],
        player_key=row["player_key"],
        player_id=row["external_id"],
        nickname=row["nickname"],
        name=row["name"],
        return_url=row["return_url"] or row["partner_return_url"],
        expires_at=row["expires_at"],
        idle_expires_at=idle_expires_at,
        wallet_mode=row["wallet_mode"],
        wallet_sid=row["wallet_sid"],
        partner_session_id=row["partner_session_id"],
        limits=limits,
        started_at=row["created_at"],
        net_loss=row["net_loss"],
        reality_check_due_at=row["reality_check_due_at"],
        webhooks=row["webhooks"],
        partner_terms=row["partner_terms"],
        partner_autoplay=row["partner_autoplay"],
    )
    return Resumed(context, now, touch)


async def end(session: AsyncSession, *, token: str | None) -> PlayContext:
    """The player leaves: the session ends and the launch with it."""
    context = await resume(session, token=token)
    await end_launch(session, launch_id=context.launch_id, now=utcnow())
    return context


async def end_launch(
    session: AsyncSession, *, launch_id: str, now: datetime, reason: str | None = None
) -> None:
    """An opened launch ends, and every play session it started with it (the player left,
    the call of a call link is over, or a limit ended it: `reason`, launches/limits.py)."""
    await repository.set_status(
        session,
        launch_id=launch_id,
        status=LaunchStatus.ended,
        now=now,
        from_statuses=(LaunchStatus.opened,),
    )
    await session_repository.end_sessions_of(session, launch_id=launch_id, now=now, reason=reason)
