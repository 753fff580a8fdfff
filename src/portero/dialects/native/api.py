"""Native API v1: launches and players."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from portero.dialects.native import (
    call_api,
    call_schemas,
    desk_api,
    desk_schemas,
    errors,
    report_api,
    round_api,
    wallet_api,
    wallet_schemas,
    webhook_api,
    webhook_schemas,
)
from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.launch_route import LaunchRoute
from portero.dialects.native.player_schemas import PlayerTerminationOut
from portero.dialects.native.schemas import LaunchList, LaunchOut
from portero.http.assembly import Assembly
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, RuntimeDep, SessionDep, only_query_params
from portero.http.direct import served_by
from portero.http.error_body import responses
from portero.http.responses import json_response
from portero.http.runtime import runtime_of
from portero.kit.clock import utcnow
from portero.kit.errors import InvalidField
from portero.kit.ids import LAUNCH_ID_PATTERN
from portero.launches import service as launches
from portero.launches import termination
from portero.launches.issuing import issue_link
from portero.launches.links import link_url_of
from portero.launches.models import LaunchStatus
from portero.launches.records import LaunchRecord
from portero.launches.schemas import LaunchCreate
from portero.players import service as players
from portero.players.schemas import PlayerOut
from portero.products.registry import ProductName, product_spec

# Every operation authenticates the partner, and failed authentications are throttled (429).
router = APIRouter(prefix="/v1", tags=["native API v1"], responses=responses(429))
# The players' routes, apart: `/players/{id}` takes any path, so the wallet's
# `/players/{id}/wallet…` are matched before it, while the launches are matched first of all.
players_router = APIRouter(prefix="/v1", tags=["native API v1"], responses=responses(429))
LIST_QUERY_PARAMS = frozenset({"player_id", "status", "product", "limit", "starting_after"})

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes the request safe to retry for 24 h: the same key with the same body "
        "answers the first launch again; with another body it is a 409.",
    ),
]


@served_by(
    LaunchRoute,
    router,
    "/launches",
    methods=["POST"],
    status_code=status.HTTP_201_CREATED,
    response_model=LaunchOut,
    responses=responses(400, 401, 403, 409, 413, 415),
    openapi_extra=request_body(LaunchCreate),
)
async def create_launch(
    request: Request, partner: CurrentPartner, idempotency_key: IdempotencyKey = None
) -> Response:
    """Register or update the player and issue a one-time link into the product."""
    # The hot path: the body is read here, and issue_link opens the transaction, rather than
    # FastAPI's body parameter and a yield dependency, which cost a fifth of the request.
    body = await read_json(request, LaunchCreate)
    elsewhere = product_spec(body.product).launched_through
    if elsewhere is not None:
        # A console link names an agent of the partner, not a player: its own endpoint checks it.
        raise InvalidField(
            "product", "unsupported", f"product: {body.product} links are made with {elsewhere}"
        )
    link = await issue_link(runtime_of(request), partner, body, request_key=idempotency_key)
    issued = link.issued
    return json_response(
        LaunchOut.of(issued.launch, url=link.url, now=utcnow()),
        status_code=status.HTTP_201_CREATED,
        headers={"Idempotent-Replayed": "true"} if issued.replayed else None,
    )


@router.get("/launches/{launch_id}", response_model=LaunchOut, responses=responses(401, 403, 404))
async def get_launch(
    launch_id: str, partner: CurrentPartner, session: SessionDep, runtime: RuntimeDep
) -> LaunchOut:
    """One launch of the calling partner; `url` is present while the link can be opened."""
    launch = await launches.get_launch(session, partner_id=partner.id, launch_id=launch_id)
    return _out(launch, runtime)


@router.get(
    "/launches",
    response_model=LaunchList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(LIST_QUERY_PARAMS))],
)
async def list_launches(
    partner: CurrentPartner,
    session: SessionDep,
    runtime: RuntimeDep,
    player_id: Annotated[str | None, Query(max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")] = None,
    status: LaunchStatus | None = None,
    product: ProductName | None = None,
    limit: PageLimit = 20,
    starting_after: Annotated[
        str | None,
        Query(pattern=LAUNCH_ID_PATTERN, description="Id of the last launch of the previous page"),
    ] = None,
) -> LaunchList:
    """The calling partner's launches, newest first, a page at a time."""
    page = await launches.list_launches(
        session,
        partner_id=partner.id,
        limit=limit,
        starting_after=starting_after,
        player_id=player_id,
        status=status,
        product=product.value if product else None,
    )
    return LaunchList.of(page, lambda launch: _out(launch, runtime))


@router.post(
    "/launches/{launch_id}/revoke",
    response_model=LaunchOut,
    responses=responses(401, 403, 404, 409),
)
async def revoke_launch(
    launch_id: str, partner: CurrentPartner, session: SessionDep, runtime: RuntimeDep
) -> LaunchOut:
    """Make the link unusable now and end the play session it opened, if any."""
    launch = await launches.revoke_launch(session, partner_id=partner.id, launch_id=launch_id)
    return _out(launch, runtime)


@players_router.get(
    "/players/{player_id:path}", response_model=PlayerOut, responses=responses(401, 403, 404)
)
async def get_player(player_id: str, partner: CurrentPartner, session: SessionDep) -> PlayerOut:
    """A player of the calling partner, by the partner's own id for it."""
    player = await players.require_player(session, partner_id=partner.id, external_id=player_id)
    return PlayerOut.of(player)


@players_router.post(
    "/players/{player_id:path}/terminate",
    response_model=PlayerTerminationOut,
    responses=responses(401, 403, 404),
)
async def terminate_player(
    player_id: str, partner: CurrentPartner, session: SessionDep
) -> PlayerTerminationOut:
    """End every live play session of the player and revoke its unopened links, at once (a
    round already being settled is settled); the pages show their ended state."""
    done = await termination.terminate_player(session, partner_id=partner.id, external_id=player_id)
    return PlayerTerminationOut.of(done)


def _out(launch: LaunchRecord, runtime: RuntimeDep) -> LaunchOut:
    now = utcnow()
    url = None
    if launch.effective_status(now) is LaunchStatus.issued:
        settings = runtime.settings
        url = link_url_of(launch, base_url=settings.base_url, signing_key=settings.signing_key)
    return LaunchOut.of(launch, url=url, now=now)


def install_launches(assembly: Assembly) -> None:
    """The launches' routes, matched before every other part's (the busiest of all)."""
    assembly.include(router)


def install(assembly: Assembly) -> None:
    """The rest of the native API v1; its errors are also the answer of any path no other
    part claims."""
    # The wallet's routes before the players' (`/players/{id}/wallet…` would otherwise be a
    # player's id).
    assembly.include(
        wallet_api.router,
        players_router,
        round_api.router,
        report_api.router,
        webhook_api.router,
        call_api.router,
        desk_api.router,
    )
    assembly.render_errors("/", errors.render)
    assembly.document_bodies(
        LaunchCreate,
        *call_schemas.BODY_MODELS,
        *desk_schemas.BODY_MODELS,
        *wallet_schemas.BODY_MODELS,
        *webhook_schemas.BODY_MODELS,
    )
