"""Queries on game rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, String, distinct, exists, func, literal, select, tuple_, update
from sqlalchemy import delete as sa_delete
from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery.models import Delivery, DeliveryStatus
from portero.kit.db import matched
from portero.kit.pagination import Page, fetch_page
from portero.kit.tenancy import across_partners, for_partner
from portero.players.models import Player
from portero.rounds.models import CLOSED_STATUSES, GameRound, RoundStatus


async def by_request(
    session: AsyncSession, *, player_key: int, request_id: str
) -> GameRound | None:
    """The round the player's page asked for under this id, if any (the player's row was
    found under its partner's scope)."""
    query = across_partners(
        select(GameRound)
        .where(GameRound.player_id == player_key, GameRound.request_id == request_id)
        .execution_options(populate_existing=True)
    )
    found: GameRound | None = await session.scalar(query)
    return found


def add(session: AsyncSession, played: GameRound) -> None:
    """Written at the caller's next flush."""
    session.add(played)


async def get(session: AsyncSession, round_id: str, *, lock: bool = False) -> GameRound | None:
    """A round by its id (ids found under a partner's scope, or by the delivery engine)."""
    query = across_partners(
        select(GameRound).where(GameRound.id == round_id).execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    found: GameRound | None = await session.scalar(query)
    return found


async def of_partner(
    session: AsyncSession, partner_id: int, round_id: str, *, lock: bool = False
) -> GameRound | None:
    query = for_partner(
        select(GameRound).where(GameRound.id == round_id).execution_options(populate_existing=True),
        GameRound,
        partner_id,
    )
    if lock:
        query = query.with_for_update()
    found: GameRound | None = await session.scalar(query)
    return found


async def transition(
    session: AsyncSession,
    round_id: str,
    *,
    from_statuses: Sequence[str],
    now: datetime,
    **values: Any,
) -> bool:
    """Move a round on only from one of `from_statuses`: of two actors racing on one round,
    exactly one sees True."""
    result = await session.execute(
        update(GameRound)
        .where(GameRound.id == round_id, GameRound.status.in_(list(from_statuses)))
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return matched(result)


async def has_unsettled_rounds(session: AsyncSession, partner_id: int) -> bool:
    """Whether a round of the partner is still open, or failed and waiting for an operator:
    both still need the partner's wallet as it was."""
    query = for_partner(
        select(GameRound.id).where(
            GameRound.status.not_in([RoundStatus.settled, RoundStatus.cancelled])
        ),
        GameRound,
        partner_id,
    )
    # The outer SELECT reads nothing itself: the partner's filter is the inner one's.
    return bool(await session.scalar(across_partners(select(exists(query)))))


async def history(
    session: AsyncSession, *, player_key: int, game_id: str, limit: int
) -> list[GameRound]:
    """The player's rounds of one game that were played (settled, or drawn and being paid),
    newest first."""
    query = across_partners(
        select(GameRound)
        .where(
            GameRound.player_id == player_key,
            GameRound.game_id == game_id,
            GameRound.outcome.is_not(None),
        )
        .order_by(GameRound.created_at.desc(), GameRound.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def failed(session: AsyncSession, *, partner_id: int | None, limit: int) -> list[GameRound]:
    """Rounds whose retries are spent, oldest first: of one partner, or of all (the CLI)."""
    query = select(GameRound).where(GameRound.status == RoundStatus.failed)
    query = (
        for_partner(query, GameRound, partner_id)
        if partner_id is not None
        else across_partners(query)
    )
    query = query.order_by(GameRound.updated_at, GameRound.id).limit(limit)
    return list((await session.scalars(query)).all())


@dataclass(frozen=True, slots=True)
class RoundFilter:
    """What a list of a partner's rounds keeps (GET /v1/rounds, the daily report)."""

    partner_id: int
    player_key: int | None = None
    product: str | None = None
    game_id: str | None = None
    statuses: Sequence[str] | None = None
    created_gte: datetime | None = None
    created_lt: datetime | None = None


def rows(query: Any) -> Select[Any]:
    """A SELECT of several typed columns, as the tenancy and paging helpers take it."""
    return cast(Select[Any], query)


def _filtered(selected: Any, wanted: RoundFilter) -> Select[Any]:
    query = for_partner(rows(selected), GameRound, wanted.partner_id)
    if wanted.player_key is not None:
        query = query.where(GameRound.player_id == wanted.player_key)
    if wanted.product is not None:
        query = query.where(GameRound.product == wanted.product)
    if wanted.game_id is not None:
        query = query.where(GameRound.game_id == wanted.game_id)
    if wanted.statuses is not None:
        query = query.where(GameRound.status.in_(list(wanted.statuses)))
    if wanted.created_gte is not None:
        query = query.where(GameRound.created_at >= wanted.created_gte)
    if wanted.created_lt is not None:
        query = query.where(GameRound.created_at < wanted.created_lt)
    return query


async def page(
    session: AsyncSession,
    wanted: RoundFilter,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
) -> Page[tuple[GameRound, str]]:
    """Rounds with their player's id, newest first by (created_at, id): a round's place never
    changes, so a page continues strictly after its cursor and overlapping polls are safe."""
    query = _filtered(
        select(GameRound, Player.external_id).join(Player, Player.id == GameRound.player_id),
        wanted,
    )
    if after is not None:
        query = query.where(tuple_(GameRound.created_at, GameRound.id) < tuple_(*after))
    query = query.order_by(GameRound.created_at.desc(), GameRound.id.desc())
    found = await fetch_page(session, query, limit=limit)
    return Page([(row[0], row[1]) for row in found.items], found.has_more)


async def position_of(
    session: AsyncSession, partner_id: int, round_id: str
) -> tuple[datetime, str] | None:
    """Where a round stands in the newest-first order: a page's cursor."""
    query = for_partner(
        rows(select(GameRound.created_at, GameRound.id).where(GameRound.id == round_id)),
        GameRound,
        partner_id,
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def with_player(
    session: AsyncSession, partner_id: int, round_id: str
) -> tuple[GameRound, str] | None:
    query = for_partner(
        rows(
            select(GameRound, Player.external_id)
            .join(Player, Player.id == GameRound.player_id)
            .where(GameRound.id == round_id)
            .execution_options(populate_existing=True)
        ),
        GameRound,
        partner_id,
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def totals(session: AsyncSession, wanted: RoundFilter) -> list[Any]:
    """Per game, currency and status: rounds, stakes and payouts."""
    query = _filtered(
        select(
            GameRound.game_id,
            GameRound.currency,
            GameRound.status,
            func.count(),
            func.coalesce(func.sum(GameRound.stake), 0),
            func.coalesce(func.sum(GameRound.payout), 0),
        ),
        wanted,
    ).group_by(GameRound.game_id, GameRound.currency, GameRound.status)
    return list((await session.execute(query)).all())


async def distinct_players(
    session: AsyncSession, wanted: RoundFilter, *, by_game: bool
) -> dict[tuple[str | None, str], int]:
    """Distinct players per (game, currency), or per (None, currency), over the rounds
    `wanted` keeps."""
    game = GameRound.game_id if by_game else literal(None, String)
    query = _filtered(
        select(game, GameRound.currency, func.count(distinct(GameRound.player_id))), wanted
    ).group_by(*([GameRound.game_id] if by_game else []), GameRound.currency)
    return {(row[0], row[1]): int(row[2]) for row in await session.execute(query)}


async def purgeable(session: AsyncSession, *, before: datetime, limit: int) -> list[str]:
    """Up to `limit` closed rounds created before `before`, oldest first, of every partner
    (the retention purge); an open or failed round is kept whatever its age."""
    query = across_partners(
        select(GameRound.id)
        .where(GameRound.created_at < before, GameRound.status.in_(list(CLOSED_STATUSES)))
        .order_by(GameRound.created_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def count_purgeable(session: AsyncSession, *, before: datetime) -> int:
    query = across_partners(
        select(func.count()).where(
            GameRound.created_at < before, GameRound.status.in_(list(CLOSED_STATUSES))
        )
    )
    return int(await session.scalar(query) or 0)


async def delete_rounds(session: AsyncSession, round_ids: Sequence[str]) -> int:
    result = await session.execute(
        sa_delete(GameRound)
        .where(GameRound.id.in_(list(round_ids)))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def failed_wallet_calls(
    session: AsyncSession, wanted: RoundFilter
) -> dict[tuple[str, str], int]:
    """Calls to the partner's wallet (deliveries of kind `wallet.*`) whose retries are spent,
    per (game, currency) of their rounds, over the rounds `wanted` keeps."""
    columns: tuple[Any, ...] = (GameRound.game_id, GameRound.currency, func.count())
    query = (
        _filtered(
            select(*columns)
            .select_from(GameRound)
            .join(Delivery, Delivery.subject_id == GameRound.id),
            wanted,
        )
        .where(
            Delivery.partner_id == GameRound.partner_id,
            Delivery.kind.startswith("wallet."),
            Delivery.status == DeliveryStatus.failed,
        )
        .group_by(GameRound.game_id, GameRound.currency)
    )
    return {(row[0], row[1]): int(row[2]) for row in await session.execute(query)}


async def partners_with_rounds(
    session: AsyncSession, *, created_gte: datetime, created_lt: datetime
) -> list[int]:
    """Every partner with a round created in [created_gte, created_lt), by id (the operator's
    daily report of all partners)."""
    query = across_partners(
        select(GameRound.partner_id)
        .distinct()
        .where(GameRound.created_at >= created_gte, GameRound.created_at < created_lt)
        .order_by(GameRound.partner_id)
    )
    return [int(found) for found in (await session.scalars(query)).all()]
