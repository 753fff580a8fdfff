"""Every query on launches, in SQLAlchemy (play sessions: session_repository.py).

The two hot paths (issuing and opening a link) are also written out for asyncpg in
`pg_store.py`, which PostgreSQL deployments use; here they serve SQLite (which cannot put DML
in a CTE, hence two statements) and any caller that already holds a session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.pagination import Page, fetch_page, newest_first
from portero.kit.tenancy import across_partners, for_partner
from portero.launches.models import Launch, LaunchStatus, PlaySession
from portero.launches.records import LAUNCH_FIELDS, PLAYER_FIELDS, LaunchRecord, PlayerRecord
from portero.partners.models import Partner
from portero.players.models import Player
from portero.products.registry import REUSABLE_LINK_PRODUCTS

PLAYER = cast(Table, Player.__table__)
LAUNCH = cast(Table, Launch.__table__)


def _is_postgres(session: AsyncSession) -> bool:
    bind = session.bind
    return bind is not None and bind.dialect.name == "postgresql"


def record_from_row(row: Row[Any] | Mapping[str, Any]) -> LaunchRecord:
    data = row._mapping if isinstance(row, Row) else row
    player = PlayerRecord(**{f: data[f"player_{f}"] for f in PLAYER_FIELDS})
    return LaunchRecord(**{f: data[f] for f in LAUNCH_FIELDS}, player=player)


def _player_columns(source: Any) -> list[ColumnElement[Any]]:
    return [source.c[f].label(f"player_{f}") for f in PLAYER_FIELDS]


def _launch_columns(source: Any) -> list[ColumnElement[Any]]:
    return [source.c[f] for f in LAUNCH_FIELDS]


# The insert statements are built once, with bound parameters, and reused: building a CTE's
# column collections on every request cost more than the database work itself.
PLAYER_INSERT_COLUMNS = (
    "partner_id",
    "external_id",
    "name",
    "nickname",
    "email",
    "cellphone",
    "language",
    "currency",
    "created_at",
    "updated_at",
)
LAUNCH_INSERT_COLUMNS = (
    "id",
    "partner_id",
    "product",
    "params",
    "source",
    "request_key",
    "request_hash",
    "token_shape",
    "token_nonce",
    "token_hash",
    "status",
    "return_url",
    "session_idle_seconds",
    "partner_session_id",
    "limits",
    "created_at",
    "expires_at",
)
_MERGED_PLAYER_FIELDS = ("name", "nickname", "email", "cellphone", "language", "currency")


def _bound(table: Table, prefix: str, columns: Sequence[str]) -> dict[str, Any]:
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}


def _player_upsert(insert: Any) -> Any:
    statement = insert(PLAYER).values(_bound(PLAYER, "pl_", PLAYER_INSERT_COLUMNS))
    merged = {
        name: func.coalesce(statement.excluded[name], PLAYER.c[name])
        for name in _MERGED_PLAYER_FIELDS
    }
    # updated_at moves only when a detail really changes, so an idempotent replay (or a partner
    # resending the same details) leaves the record as it was.
    changed = or_(*(merged[name].is_distinct_from(PLAYER.c[name]) for name in merged))
    updated_at = case((changed, statement.excluded.updated_at), else_=PLAYER.c.updated_at)
    return statement.on_conflict_do_update(
        index_elements=[PLAYER.c.partner_id, PLAYER.c.external_id],
        set_=merged | {"updated_at": updated_at},
    ).returning(*PLAYER.c)


@cache
def _insert_statements(dialect: str) -> tuple[Any, Any]:
    """The player upsert and the launch insert, in the dialect's ON CONFLICT syntax."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = _bound(LAUNCH, "ln_", (*LAUNCH_INSERT_COLUMNS, "player_id", "language", "currency"))
    launch_insert = (
        insert(LAUNCH)
        .values(values)
        .on_conflict_do_nothing(index_elements=["partner_id", "source", "request_key"])
        .returning(*LAUNCH.c)
    )
    return _player_upsert(insert), launch_insert


async def insert_launch(
    session: AsyncSession,
    *,
    player: Mapping[str, Any],
    launch: Mapping[str, Any],
    default_language: str,
    default_currency: str,
) -> tuple[LaunchRecord | None, int]:
    """Upsert the player and insert the launch (SQLite; PostgreSQL serves this from
    pg_store.py in one statement). Returns (None, player id) when the launch's request key is
    already taken (an idempotent retry, or a reuse to be refused)."""
    dialect = "postgresql" if _is_postgres(session) else "sqlite"
    upsert, launch_insert = _insert_statements(dialect)
    params = {f"pl_{k}": player[k] for k in PLAYER_INSERT_COLUMNS}
    params |= {f"ln_{k}": launch[k] for k in LAUNCH_INSERT_COLUMNS}
    player_row = (await session.execute(upsert, params)).one()
    params |= {
        "ln_player_id": player_row.id,
        "ln_language": player_row.language or default_language,
        "ln_currency": player_row.currency or default_currency,
    }
    launch_row = (await session.execute(launch_insert, params)).one_or_none()
    if launch_row is None:
        return None, player_row.id
    data = dict(launch_row._mapping)
    data |= {f"player_{f}": getattr(player_row, f) for f in PLAYER_FIELDS}
    return record_from_row(data), player_row.id


def _launch_with_player() -> Select[Any]:
    return select(*_launch_columns(LAUNCH), *_player_columns(PLAYER)).join_from(
        LAUNCH, PLAYER, PLAYER.c.id == LAUNCH.c.player_id
    )


async def by_request_key(
    session: AsyncSession, *, partner_id: int, source: str, request_key: str
) -> LaunchRecord | None:
    query = _launch_with_player().where(
        LAUNCH.c.source == source, LAUNCH.c.request_key == request_key
    )
    row = (await session.execute(for_partner(query, LAUNCH, partner_id))).one_or_none()
    return record_from_row(row) if row else None


async def release_request_key(session: AsyncSession, launch_id: str) -> None:
    """Forget an old request key so that it can name a new request (past the replay window)."""
    await session.execute(update(LAUNCH).where(LAUNCH.c.id == launch_id).values(request_key=None))


async def get(session: AsyncSession, *, partner_id: int, launch_id: str) -> LaunchRecord | None:
    query = _launch_with_player().where(LAUNCH.c.id == launch_id)
    row = (await session.execute(for_partner(query, LAUNCH, partner_id))).one_or_none()
    return record_from_row(row) if row else None


def _status_condition(status: LaunchStatus, now: datetime) -> ColumnElement[bool]:
    if status is LaunchStatus.issued:
        return and_(LAUNCH.c.status == "issued", LAUNCH.c.expires_at > now)
    if status is LaunchStatus.expired:
        return or_(
            LAUNCH.c.status == "expired",
            and_(LAUNCH.c.status == "issued", LAUNCH.c.expires_at <= now),
        )
    return LAUNCH.c.status == status.value


async def list_for_partner(
    session: AsyncSession,
    *,
    partner_id: int,
    now: datetime,
    limit: int,
    starting_after: str | None = None,
    player_external_id: str | None = None,
    status: LaunchStatus | None = None,
    product: str | None = None,
) -> Page[LaunchRecord]:
    """Newest first; `starting_after` is the id of the last launch of the previous page."""
    query = newest_first(_launch_with_player(), LAUNCH.c.id, starting_after or None)
    query = for_partner(query, LAUNCH, partner_id)
    if player_external_id is not None:
        query = query.where(PLAYER.c.external_id == player_external_id)
    if status is not None:
        query = query.where(_status_condition(status, now))
    if product is not None:
        query = query.where(LAUNCH.c.product == product)
    page = await fetch_page(session, query, limit=limit)
    return Page([record_from_row(row) for row in page.items], page.has_more)


async def claim_for_opening(
    session: AsyncSession, *, token_hash: bytes, now: datetime
) -> Row[Any] | None:
    """Atomically move an issued, unexpired launch to `opened`. Of concurrent callers with the
    same token, exactly one gets the row back: the UPDATE's WHERE re-checks the status under
    the row lock (PostgreSQL) or the database write lock (SQLite). A reusable link (a call's)
    is claimed again while opened, each opening starting a play session of its own."""
    params = {"claimed_token_hash": token_hash, "claimed_at": now}
    return (await session.execute(_CLAIM, params)).one_or_none()


_CLAIM = (  # built once: this is the hot path of opening a link
    update(LAUNCH)
    .where(
        LAUNCH.c.token_hash == bindparam("claimed_token_hash", type_=LAUNCH.c.token_hash.type),
        or_(
            LAUNCH.c.status == LaunchStatus.issued.value,
            and_(
                LAUNCH.c.status == LaunchStatus.opened.value,
                LAUNCH.c.product.in_(REUSABLE_LINK_PRODUCTS),
            ),
        ),
        LAUNCH.c.expires_at > bindparam("claimed_at", type_=LAUNCH.c.expires_at.type),
    )
    .values(
        status=LaunchStatus.opened.value,
        opened_at=func.coalesce(LAUNCH.c.opened_at, bindparam("claimed_at")),
    )
    .returning(
        LAUNCH.c.id,
        LAUNCH.c.partner_id,
        LAUNCH.c.product,
        LAUNCH.c.language,
        LAUNCH.c.session_idle_seconds,
        LAUNCH.c.opened_at,
        LAUNCH.c.limits,  # for the play session's times (launches/limits.py)
    )
)


async def link_context_by_token_hash(session: AsyncSession, token_hash: bytes) -> Row[Any] | None:
    # Across partners: the link's token says which launch (and partner) it is.
    query = _LINK_CONTEXT.where(LAUNCH.c.token_hash == token_hash)
    return (await session.execute(across_partners(query))).one_or_none()


async def link_context_by_id(session: AsyncSession, launch_id: str) -> Row[Any] | None:
    # Across partners: asked about a launch just opened through its link.
    query = _LINK_CONTEXT.where(LAUNCH.c.id == launch_id)
    return (await session.execute(across_partners(query))).one_or_none()


_LINK_CONTEXT = select(
    LAUNCH.c.id,
    LAUNCH.c.status,
    LAUNCH.c.expires_at,
    LAUNCH.c.language,
    LAUNCH.c.partner_id,
    LAUNCH.c.product,
    LAUNCH.c.return_url,
    Partner.frame_ancestors,
    Partner.return_url.label("partner_return_url"),
).join_from(LAUNCH, Partner, Partner.id == LAUNCH.c.partner_id)


async def unclaim(session: AsyncSession, *, launch_id: str, opened_at: datetime) -> None:
    """Undo an opening refused after its claim (its play session already deleted): a launch
    this very opening moved to `opened` goes back to `issued`, unless another opening of a
    reusable link has meanwhile started a session of its own."""
    others = select(PlaySession.id).where(PlaySession.launch_id == launch_id)
    await session.execute(
        across_partners(
            update(LAUNCH)
            .where(
                LAUNCH.c.id == launch_id,
                LAUNCH.c.status == LaunchStatus.opened.value,
                LAUNCH.c.opened_at == opened_at,
                ~exists(others),
            )
            .values(status=LaunchStatus.issued.value, opened_at=None)
        )
    )


async def page_context(session: AsyncSession, launch_id: str) -> Row[Any] | None:
    query = (
        select(
            LAUNCH.c.id,
            LAUNCH.c.product,
            LAUNCH.c.language,
            Partner.frame_ancestors,
            Partner.responsible_gaming_url,
            Partner.age_notice,
        )
        .join_from(LAUNCH, Partner, Partner.id == LAUNCH.c.partner_id)
        .where(LAUNCH.c.id == launch_id)
    )
    # Across partners: the product page's shell, by the launch id in its URL, shows nothing of
    # the player (its data comes through the play session).
    return (await session.execute(across_partners(query))).one_or_none()


async def mark_expired(
    session: AsyncSession, *, now: datetime, launch_id: str | None = None
) -> Sequence[Row[Any]]:
    """Record the expiry of issued launches past their time. Each launch changes state once,
    so the returned rows (for metrics) are counted once across all processes."""
    statement = update(LAUNCH).where(LAUNCH.c.status == "issued", LAUNCH.c.expires_at <= now)
    if launch_id is not None:
        statement = statement.where(LAUNCH.c.id == launch_id)
    statement = statement.values(status="expired").returning(
        LAUNCH.c.id, LAUNCH.c.partner_id, LAUNCH.c.product
    )
    return (await session.execute(statement)).all()


async def set_status(
    session: AsyncSession,
    *,
    launch_id: str,
    status: LaunchStatus,
    now: datetime,
    from_statuses: Sequence[LaunchStatus],
) -> bool:
    statement = (
        update(LAUNCH)
        .where(LAUNCH.c.id == launch_id, LAUNCH.c.status.in_([s.value for s in from_statuses]))
        .values(status=status.value, ended_at=now)
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def delete_expired(
    session: AsyncSession, *, expired_before: datetime, batch: int = 1000
) -> int:
    """Delete up to `batch` launches that were never opened and can never be (expired or
    revoked), whose expiry is older than the cut. Opened launches stay: they are history."""
    doomed = (
        select(LAUNCH.c.id)
        .where(
            LAUNCH.c.expires_at < expired_before,
            LAUNCH.c.opened_at.is_(None),
            LAUNCH.c.status.in_(["issued", "expired", "revoked"]),
        )
        .limit(batch)
    )
    result = await session.execute(delete(LAUNCH).where(LAUNCH.c.id.in_(doomed)))
    return int(getattr(result, "rowcount", 0))
