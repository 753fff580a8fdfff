"""Queries on game rounds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import matched
from portero.kit.tenancy import across_partners, for_partner
from portero.rounds.models import GameRound, RoundStatus


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
