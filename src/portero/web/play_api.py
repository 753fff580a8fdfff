"""The play-session API every product page uses (bearer: the play-session token)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from portero.dialects.native.errors import responses
from portero.http.deps import SessionDep, only_query_params
from portero.launches import opening

router = APIRouter(prefix="/play/api", tags=["play session"])
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PlaySessionToken",
    description="The play-session token (`pss_…`) the product page received.",
)
SessionToken = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _context(credentials: SessionToken, session: SessionDep) -> opening.PlayContext:
    return await opening.resume(session, token=credentials.credentials if credentials else None)


# For the products' own play APIs (/play/api/<product>/…).
PlayContextDep = Annotated[opening.PlayContext, Depends(_context)]


def session_then_query(*allowed: str) -> list[Any]:
    """Route dependencies: the session first (an ended session is what the answer is about,
    whatever else is wrong with the request), then the query parameters. FastAPI resolves
    `_context` once per request, so the handler's own `context` is the same value."""
    return [Depends(_context), Depends(only_query_params(frozenset(allowed)))]


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
