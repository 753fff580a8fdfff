"""Seed 001 endpoints: create a game session, list the games, open the game link."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from starlette.responses import JSONResponse, Response

from portero.dialects.luckymonaco import errors, openapi
from portero.dialects.luckymonaco.catalogue import (
    Game,
    games,
    games_of_type,
    supported_currencies,
    supported_languages,
)
from portero.dialects.luckymonaco.errors import invalid
from portero.http.assembly import Assembly
from portero.http.body import read_json
from portero.http.direct import RequestRoute, served_by
from portero.http.errors import translate_errors
from portero.http.runtime import runtime_of
from portero.http.throttling import counting_failed_authentications
from portero.kit.ids import partner_number
from portero.kit.validation import Displayable, Printable
from portero.launches.issuing import issue_link
from portero.launches.schemas import LaunchCreate
from portero.partners.auth import require_launchable
from portero.partners.errors import AuthenticationFailed
from portero.partners.schemas import PartnerSnapshot
from portero.web.links import serve_links

SOURCE = "luckymonaco"
LINK = "/luckymonaco/index.html?token={token}"

router = APIRouter(tags=[openapi.TAG])
Text = Annotated[str, StringConstraints(min_length=1, max_length=128), Printable]


class WireSession(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: Text
    ip: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class WirePlayer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: Text
    # Shown on the game's page: trimmed, and displayed as what it is (kit/text.py).
    nickname: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Displayable
    ]
    language: Annotated[str, StringConstraints(min_length=1, max_length=8)]
    currency: Annotated[str, StringConstraints(min_length=1, max_length=8)]
    session: WireSession


class SessionRequest(BaseModel):
    """The document's request; fields it does not define are ignored, as its clients expect."""

    model_config = ConfigDict(extra="ignore")
    uuid: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    gametype: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    gameid: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    player: WirePlayer


async def _partner(request: Request) -> PartnerSnapshot:
    member = partner_number(request.query_params.get("MEMB_ID", ""))
    token = request.query_params.get("HASH")
    async with counting_failed_authentications(request):
        if member is None:
            raise AuthenticationFailed()
        return await runtime_of(request).authenticator.authenticate(token, partner_id=member)


def _launch_request(request: Request, wire: SessionRequest) -> tuple[str, LaunchCreate]:
    """The document's checks beyond types, each with its V code; the request key and the
    core request they become."""
    try:
        request_key = str(uuid.UUID(wire.uuid))
    except ValueError:
        raise invalid("uuid", "invalid", "must be a UUID") from None
    if wire.gametype not in ("slot", "table"):
        raise invalid("gametype", "invalid", "must be slot or table")
    if not games_of_type(wire.gametype):
        raise invalid("gametype", "unsupported", f"no {wire.gametype} game is available now")
    game = games().get(wire.gameid)
    if game is None or game.gametype != wire.gametype:
        raise invalid("gameid", "unsupported", f"no {wire.gametype} game {wire.gameid!r}")
    player = wire.player
    if player.language.lower() not in game.languages:
        raise invalid("player.language", "unsupported", "language not supported")
    if player.currency.upper() not in game.currencies:
        raise invalid("player.currency", "unsupported", "currency not supported")
    try:
        ipaddress.ip_address(player.session.ip)
    except ValueError:
        raise invalid("player.session.ip", "invalid", "must be an IPv4 or IPv6 address") from None
    return request_key, _core_request(request, game, player)


def _core_request(request: Request, game: Game, player: WirePlayer) -> LaunchCreate:
    """The launch the request becomes. The core may refuse what the wire model let through:
    that refusal is the field's V code (the renderer maps it), never a 500."""
    try:
        return LaunchCreate.model_validate(
            {
                "product": game.product,
                "params": {"game_id": game.gameid} if game.product == "slot" else {},
                "player": {
                    "id": player.id,
                    "nickname": player.nickname,
                    "language": player.language.lower(),
                    "currency": player.currency.upper(),
                },
                # Evolution's player.session.id: the sid its One Wallet knows the player by.
                "partner_session_id": player.session.id,
            }
        )
    except ValidationError as error:
        raise translate_errors(error.errors(), request) from None


@served_by(
    RequestRoute,
    router,
    "/api/session",
    methods=["POST"],
    **openapi.session_operation(SessionRequest),
)
async def create_session(request: Request) -> Response:
    """Create a game session: `?MEMB_ID=<partner id>&HASH=<token>`, JSON body."""
    partner = await _partner(request)
    wire = await read_json(request, SessionRequest)
    request_key, launch = _launch_request(request, wire)
    require_launchable(partner, launch.product)
    link = await issue_link(
        runtime_of(request), partner, launch, source=SOURCE, request_key=request_key
    )
    return JSONResponse({"url": link.url})


@router.get("/api/games", **openapi.GAMES_OPERATION)
async def list_games() -> dict[str, Any]:
    """The catalogue ("SLOT_SPEC"): every game, its type, names, supported languages and
    currencies, and its published return to player, hit frequency and maximum win."""
    return {
        "games": [
            {
                "gameid": game.gameid,
                "gametype": game.gametype,
                "name": game.name,
                "names": game.names,
                "languages": list(game.languages),
                "currencies": list(game.currencies),
                "rtp": game.rtp,
                "hit_frequency": game.hit_frequency,
                "max_win": game.max_win,
            }
            for game in games().values()
        ],
        "languages": list(supported_languages()),
        "currencies": list(supported_currencies()),
    }


def install(assembly: Assembly) -> None:
    """Seed 001: the session and catalogue endpoints, and the game URL its links use."""
    assembly.include(router)
    assembly.document_bodies(SessionRequest)
    assembly.render_errors("/api/", errors.render)
    serve_links(assembly, SOURCE, LINK)
