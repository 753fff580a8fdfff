"""Creating, reading, listing and revoking launches (the partner-facing half)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit import metrics
from portero.kit.clock import utcnow
from portero.kit.errors import InvalidField
from portero.kit.ids import is_launch_id, new_id
from portero.kit.pagination import Page
from portero.kit.secrets import hash_token
from portero.launches import repository, session_repository
from portero.launches.errors import IdempotencyKeyReused, LaunchNotFound, LaunchNotRevocable
from portero.launches.events import launch_event
from portero.launches.links import NATIVE_SOURCE
from portero.launches.models import LaunchStatus
from portero.launches.records import LaunchRecord
from portero.launches.schemas import LaunchCreate
from portero.launches.store import LaunchStore
from portero.launches.tokens import TokenShape, derive_token, new_nonce, token_of
from portero.partners.auth import require_launchable
from portero.partners.schemas import PartnerSnapshot
from portero.products.registry import product_spec


@dataclass(frozen=True, slots=True)
class IssuedLaunch:
    launch: LaunchRecord
    token: str
    replayed: bool


def request_fingerprint(request: LaunchCreate, params: dict[str, object]) -> bytes:
    """What makes two requests "the same" for idempotency: the validated, normalised input."""
    canonical = request.model_dump(mode="json") | {"params": params}
    for later in ("partner_session_id", "responsible_gaming"):
        if canonical[later] is None:  # as before the field existed: same keys
            del canonical[later]
    limits = canonical.get("responsible_gaming")
    if limits is not None and limits["autoplay"] is True:  # likewise for the default
        del limits["autoplay"]
    return hashlib.sha256(
        json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    ).digest()


async def create_launch(
    store: LaunchStore,
    *,
    partner: PartnerSnapshot,
    request: LaunchCreate,
    signing_key: bytes,
    source: str = NATIVE_SOURCE,
    request_key: str | None = None,
    token_shape: TokenShape = TokenShape.urlsafe,
    idempotency_window: timedelta = timedelta(hours=24),
    default_ttl_seconds: int | None = None,
) -> IssuedLaunch:
    """Register or update the player and issue a one-time link for it.

    With a `request_key`, a repeat of the same request answers the first launch again (same
    link) and a different request under the same key is refused.
    """
    require_launchable(partner, request.product)
    params = product_spec(request.product).validate_params(request.params)
    offered = _currencies_offered(request, params, keyed=request_key is not None)
    fingerprint = request_fingerprint(request, params) if request_key is not None else None
    now = utcnow()
    identity, token = _new_identity(signing_key, token_shape)
    ttl = request.expires_in or default_ttl_seconds or partner.launch_ttl_seconds
    player_values = _player_values(partner, request, now)
    launch_values = _launch_values(partner, request, params=params, now=now, ttl=ttl) | {
        "source": source,
        "request_key": request_key,
        "request_hash": fingerprint,
        **identity,
    }
    for _attempt in range(2):
        record = await store.insert_launch(
            player=player_values,
            launch=launch_values,
            default_language=partner.default_language,
            default_currency=partner.default_currency,
            # Without a currency in the request the launch's is the player's or the partner's
            # default, known only once the statement has run: refusing it must undo the
            # player's upsert with it.
            may_refuse=offered is not None and request.player.currency is None,
        )
        if record is not None:
            _refuse_unoffered(record, offered, request)
            counter = metrics.LAUNCHES_CREATED.labels(str(partner.id), record.product)
            store.after_commit(counter.inc)
            return IssuedLaunch(record, token, replayed=False)
        assert request_key is not None  # only a request key can make the insert a no-op
        replayed = await _earlier_launch(
            store,
            partner_id=partner.id,
            source=source,
            request_key=request_key,
            fingerprint=fingerprint,
            stale_before=now - idempotency_window,
        )
        if replayed is not None:
            return IssuedLaunch(replayed, token_of(replayed, signing_key), replayed=True)
    raise IdempotencyKeyReused("This request id is being used by a concurrent request; retry.")


def _new_identity(signing_key: bytes, token_shape: TokenShape) -> tuple[dict[str, object], str]:
    """A new launch's id and token (the row keeps the token's hash and nonce), and the token."""
    launch_id = new_id("lnch")
    nonce = new_nonce()
    token = derive_token(signing_key, launch_id=launch_id, nonce=nonce, shape=token_shape)
    identity: dict[str, object] = {
        "id": launch_id,
        "token_shape": token_shape.value,
        "token_nonce": nonce,
        "token_hash": hash_token(token),
    }
    return identity, token


def _currencies_offered(
    request: LaunchCreate, params: dict[str, object], *, keyed: bool
) -> frozenset[str] | None:
    """The currencies the launched game can be played in (None: any); a currency the request
    names (without a request key) is refused here, before anything is written."""
    spec = product_spec(request.product)
    offered = spec.currencies_of(params) if spec.currencies_of is not None else None
    # With a request key the insert runs in a transaction anyway, and a retry of a launch
    # made before its currency was refused must still replay it: checked once inserted.
    if offered is not None and request.player.currency is not None and not keyed:
        _require_offered_currency(request.player.currency, offered, request_gave_it=True)
    return offered


def _refuse_unoffered(
    record: LaunchRecord, offered: frozenset[str] | None, request: LaunchCreate
) -> None:
    """The launch's currency, as the insert settled it, must be one its game offers."""
    if offered is not None:
        given = request.player.currency is not None
        _require_offered_currency(record.currency, offered, request_gave_it=given)


def _require_offered_currency(
    currency: str, offered: frozenset[str], *, request_gave_it: bool
) -> None:
    """Refuse a launch in a currency its game has no bets in: its page could only say so."""
    if currency in offered:
        return
    where = "" if request_gave_it else " (the player's registered currency or your default)"
    raise InvalidField(
        "player.currency",
        "unsupported",
        f"player.currency: {currency}{where} is not offered by this game; "
        f"one of {', '.join(sorted(offered))}",
    )


def _launch_values(
    partner: PartnerSnapshot,
    request: LaunchCreate,
    *,
    params: dict[str, object],
    now: datetime,
    ttl: int,
) -> dict[str, object]:
    """The launch's row but for its identity, token and request key."""
    return {
        "partner_id": partner.id,
        "product": request.product.value,
        "params": params,
        "status": LaunchStatus.issued.value,
        "return_url": request.return_url or partner.return_url,
        "session_idle_seconds": partner.session_idle_seconds,
        "partner_session_id": request.partner_session_id,
        "limits": request.responsible_gaming.stored() if request.responsible_gaming else None,
        "created_at": now,
        "expires_at": now + timedelta(seconds=ttl),
    }


def _player_values(
    partner: PartnerSnapshot, request: LaunchCreate, now: datetime
) -> dict[str, object]:
    player = request.player
    return {
        "partner_id": partner.id,
        "external_id": player.id,
        "name": player.name,
        "nickname": player.nickname,
        "email": player.email,
        "cellphone": player.cellphone,
        "language": player.language,
        "currency": player.currency,
        "created_at": now,
        "updated_at": now,
    }


async def _earlier_launch(
    store: LaunchStore,
    *,
    partner_id: int,
    source: str,
    request_key: str,
    fingerprint: bytes | None,
    stale_before: datetime,
) -> LaunchRecord | None:
    """The launch the request key already names, to answer again; None when the insert should
    be tried again (the key's launch was deleted meanwhile, or is past the replay window and
    the key has been freed). Refuses the same key for a different request."""
    existing = await store.by_request_key(
        partner_id=partner_id, source=source, request_key=request_key
    )
    if existing is None:  # deleted between the two statements: try once more
        return None
    if existing.created_at <= stale_before:
        await store.release_request_key(existing.id)
        return None
    if existing.request_hash != fingerprint:
        raise IdempotencyKeyReused(param="Idempotency-Key")
    return existing


async def get_launch(session: AsyncSession, *, partner_id: int, launch_id: str) -> LaunchRecord:
    launch = None
    if is_launch_id(launch_id):  # anything else cannot exist: no query, no echo of garbage
        launch = await repository.get(session, partner_id=partner_id, launch_id=launch_id)
    if launch is None:
        raise LaunchNotFound("No such launch for this partner.", param="launch_id")
    return launch


async def list_launches(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int = 20,
    starting_after: str | None = None,
    player_id: str | None = None,
    status: LaunchStatus | None = None,
    product: str | None = None,
) -> Page[LaunchRecord]:
    return await repository.list_for_partner(
        session,
        partner_id=partner_id,
        now=utcnow(),
        limit=limit,
        starting_after=starting_after,
        player_external_id=player_id,
        status=status,
        product=product,
    )


async def revoke_launch(session: AsyncSession, *, partner_id: int, launch_id: str) -> LaunchRecord:
    """Make the link unusable and end its play session, if any. Revoking twice is harmless."""
    launch = await get_launch(session, partner_id=partner_id, launch_id=launch_id)
    now = utcnow()
    status = launch.effective_status(now)
    if status is LaunchStatus.revoked:
        return launch
    if status not in (LaunchStatus.issued, LaunchStatus.opened):
        raise LaunchNotRevocable(f"The launch is {status.value}; it cannot be revoked.")
    changed = await repository.set_status(
        session,
        launch_id=launch.id,
        status=LaunchStatus.revoked,
        now=now,
        from_statuses=(status,),
    )
    if not changed:  # it changed state under us (opened, ended): decide on the fresh state
        return await revoke_launch(session, partner_id=partner_id, launch_id=launch_id)
    await session_repository.end_sessions_of(session, launch_id=launch.id, now=now)
    await launch_event(
        session, partner_id=partner_id, launch_id=launch.id, event_type="launch.revoked"
    )
    return await get_launch(session, partner_id=partner_id, launch_id=launch_id)
