"""Native API v1: a partner's rounds, for reconciliation and disputes (docs/operators.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.round_schemas import RoundList
from portero.http.deps import PageLimit, RuntimeDep, SessionDep, only_query_params
from portero.http.error_body import responses
from portero.products.registry import ProductName
from portero.rounds import listing
from portero.rounds.listing import PublicStatus, RoundQuery, RoundView
from portero.rounds.replay import replay_url
from portero.rounds.schemas import RoundOut
from portero.settings import Settings

router = APIRouter(prefix="/v1", tags=["native API v1: rounds"], responses=responses(429))
ROUND_ID = r"^[a-z]{3}_[0-9a-z]{26}$"
LIST_QUERY_PARAMS = frozenset(
    {
        "player_id",
        "product",
        "game_id",
        "status",
        "created[gte]",
        "created[lt]",
        "limit",
        "starting_after",
    }
)
MOMENT = "ISO 8601 with a UTC offset, e.g. 2026-12-06T00:00:00Z."


def round_out(view: RoundView, settings: Settings, *, detailed: bool) -> RoundOut:
    return RoundOut.of(view, replay_url=replay_url(settings, view.round.id), detailed=detailed)


@router.get(
    "/rounds",
    response_model=RoundList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(LIST_QUERY_PARAMS))],
)
async def list_rounds(
    partner: CurrentPartner,
    session: SessionDep,
    runtime: RuntimeDep,
    player_id: Annotated[str | None, Query(max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")] = None,
    product: ProductName | None = None,
    game_id: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9_-]+$")] = None,
    status: PublicStatus | None = None,
    created_gte: Annotated[datetime | None, Query(alias="created[gte]", description=MOMENT)] = None,
    created_lt: Annotated[datetime | None, Query(alias="created[lt]", description=MOMENT)] = None,
    limit: PageLimit = 20,
    starting_after: Annotated[
        str | None,
        Query(pattern=ROUND_ID, description="Id of the last round of the previous page"),
    ] = None,
) -> RoundList:
    """The calling partner's rounds, newest first (by `created_at`, then id), a page at a time.
    A window (`created[gte]`, `created[lt]`) is at most 24 hours wide, a missing bound a day
    from the other; with `starting_after` the window may be any width. Rounds never move in
    this order, so overlapping polls are safe: deduplicate by id, and read open rounds again
    later."""
    page = await listing.list_rounds(
        session,
        partner_id=partner.id,
        query=RoundQuery(
            player_id=player_id,
            product=product.value if product else None,
            game_id=game_id,
            status=status,
            created_gte=created_gte,
            created_lt=created_lt,
        ),
        limit=limit,
        starting_after=starting_after,
    )
    settings = runtime.settings
    return RoundList.of(page, lambda view: round_out(view, settings, detailed=False))


@router.get(
    "/rounds/{round_id}",
    response_model=RoundOut,
    responses=responses(401, 403, 404),
    dependencies=[Depends(only_query_params(frozenset()))],
)
async def get_round(
    round_id: Annotated[str, Path(pattern=ROUND_ID)],
    partner: CurrentPartner,
    session: SessionDep,
    runtime: RuntimeDep,
) -> RoundOut:
    """One round with its full outcome: the roulette bets, number and fairness data; the slot
    stops, window, wins and free spins."""
    view = await listing.get_round(session, partner_id=partner.id, round_id=round_id)
    return round_out(view, runtime.settings, detailed=True)
