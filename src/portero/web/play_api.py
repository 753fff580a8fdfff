"""The play-session API every product page uses (bearer: the play-session token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from portero.http.deps import SessionDep
from portero.http.error_body import responses
from portero.launches import opening, reality
from portero.launches.deps import PlayContextDep, SessionToken, session_then_query
from portero.launches.reality import ResponsibleGamingOut

router = APIRouter(prefix="/play/api", tags=["play session"])


class PlaySessionPlayer(BaseModel):
    id: str
    nickname: str | None
    name: str | None


class PlaySessionOut(BaseModel):
    launch_id: str
    product: str
    params: dict[str, Any]
    language: str
    currency: str
    player: PlaySessionPlayer
    return_url: str | None
    expires_at: datetime
    idle_expires_at: datetime
    responsible_gaming: ResponsibleGamingOut | None = Field(
        default=None, description="A game session's limits and figures; null: no limits."
    )


def _out(context: opening.PlayContext) -> PlaySessionOut:
    return PlaySessionOut(
        launch_id=context.launch_id,
        product=context.product,
        params=context.params,
        language=context.language,
        currency=context.currency,
        player=PlaySessionPlayer(
            id=context.player_id, nickname=context.nickname, name=context.name
        ),
        return_url=context.return_url,
        expires_at=context.expires_at,
        idle_expires_at=context.idle_expires_at,
        responsible_gaming=ResponsibleGamingOut.of(reality.figures_of(context)),
    )


@router.get("/session", response_model=PlaySessionOut, responses=responses(401))
async def current_session(credentials: SessionToken, session: SessionDep) -> PlaySessionOut:
    """The play session (and keeps it alive: each call pushes the idle timeout back)."""
    token = credentials.credentials if credentials else None
    return _out(await opening.resume(session, token=token))


@router.post("/session/end", response_model=PlaySessionOut, responses=responses(401))
async def end_session(credentials: SessionToken, session: SessionDep) -> PlaySessionOut:
    """The player leaves: the session and its launch end."""
    token = credentials.credentials if credentials else None
    return _out(await opening.end(session, token=token))


class RealityCheckOut(BaseModel):
    responsible_gaming: ResponsibleGamingOut | None = Field(
        description="The session's limits and figures; null: a session without limits."
    )


@router.get(
    "/reality-check",
    response_model=RealityCheckOut,
    responses=responses(400, 401),
    dependencies=session_then_query(),
)
async def reality_check(context: PlayContextDep) -> RealityCheckOut:
    """The session's figures for its reality check: time played, net result, limits."""
    return RealityCheckOut(responsible_gaming=ResponsibleGamingOut.of(reality.figures_of(context)))


@router.post(
    "/reality-check",
    response_model=RealityCheckOut,
    responses=responses(400, 401),
    dependencies=session_then_query(),
)
async def acknowledge_reality_check(
    context: PlayContextDep, session: SessionDep
) -> RealityCheckOut:
    """The player has seen the reality check that is due: play may go on, and the next check
    is due a whole interval from now (a check not yet due is left as it is)."""
    figures = await reality.acknowledge(session, context)
    return RealityCheckOut(responsible_gaming=ResponsibleGamingOut.of(figures))
