"""What a game page shows of its session's limits (the reality check): the limits, when the
session started and how long it has lasted, its net result, when the next check is due; and
the player's acknowledgement of a check that is due."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.launches import session_repository
from portero.launches.limits import ResponsibleGamingLimits, SessionLimits
from portero.launches.opening import PlayContext
from portero.wallet.currency import minor_units


@dataclass(frozen=True, slots=True)
class SessionFigures:
    """A session with limits, at one moment."""

    limits: SessionLimits
    started_at: datetime
    ends_at: datetime
    now: datetime
    currency: str
    net_loss: int
    reality_check_due_at: datetime | None

    @property
    def loss_limit_reached(self) -> bool:
        limit = self.limits.loss_limit
        return limit is not None and self.net_loss >= limit


def figures_of(
    context: PlayContext, *, net_loss: int | None = None, now: datetime | None = None
) -> SessionFigures | None:
    """The session's figures as read with it (or with the net loss a round just counted);
    None for a session without limits on its rounds (autoplay off alone is the page's: such a
    session's rounds count nothing, so it has no figures to show)."""
    if context.limits is None or not context.limits.bound_rounds:
        return None
    return SessionFigures(
        limits=context.limits,
        started_at=context.started_at or context.expires_at,
        ends_at=context.expires_at,
        now=now or utcnow(),
        currency=context.currency,
        net_loss=context.net_loss if net_loss is None else net_loss,
        reality_check_due_at=context.reality_check_due_at,
    )


async def acknowledge(session: AsyncSession, context: PlayContext) -> SessionFigures | None:
    """The player has seen the reality check that is due: the next one is due a whole interval
    from now. A check not yet due stays as it is (one cannot skip ahead), and acknowledging
    twice moves it once."""
    now = utcnow()
    due = context.reality_check_due_at
    interval = context.limits.reality_check_seconds if context.limits else None
    if due is None or interval is None or due > now:
        return figures_of(context, now=now)
    next_due = now + timedelta(seconds=interval)
    moved = await session_repository.acknowledge_reality_check(
        session, session_id=context.session_id, due_at=due, now=now, next_due=next_due
    )
    figures = figures_of(context, now=now)
    if moved and figures is not None:
        figures = replace(figures, reality_check_due_at=next_due)
    return figures


class ResponsibleGamingOut(BaseModel):
    """The session's limits and figures, for its reality check (minor units)."""

    limits: ResponsibleGamingLimits
    session_started_at: datetime
    session_ends_at: datetime = Field(
        description="When the session ends at the latest (its time limit, or the longest "
        "session the service allows)."
    )
    duration_seconds: int = Field(description="How long the session has lasted.")
    currency: str
    minor_units: int
    net_result: int = Field(
        description="Returns minus stakes of the session's rounds (negative: a loss)."
    )
    loss_remaining: int | None = Field(
        description="How much more the player may lose in this session; null: no loss limit."
    )
    loss_limit_reached: bool = Field(description="The session has ended at its loss limit.")
    reality_check_due_at: datetime | None
    reality_check_due_in_seconds: int | None = Field(
        description="Seconds until the next reality check (0: due now); null: no checks."
    )

    @classmethod
    def of(cls, figures: SessionFigures | None) -> ResponsibleGamingOut | None:
        if figures is None:
            return None
        limits, due = figures.limits, figures.reality_check_due_at
        return cls(
            limits=limits.wire(),
            session_started_at=figures.started_at,
            session_ends_at=figures.ends_at,
            duration_seconds=max(0, int((figures.now - figures.started_at).total_seconds())),
            currency=figures.currency,
            minor_units=minor_units(figures.currency),
            net_result=-figures.net_loss,
            loss_remaining=(
                None if limits.loss_limit is None else max(0, limits.loss_limit - figures.net_loss)
            ),
            loss_limit_reached=figures.loss_limit_reached,
            reality_check_due_at=due,
            reality_check_due_in_seconds=(
                None if due is None else max(0, math.ceil((due - figures.now).total_seconds()))
            ),
        )
