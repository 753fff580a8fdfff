"""The slot page's play API (bearer: the play-session token of a slot launch)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from portero.http.assembly import Assembly
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, SessionDep, is_mobile
from portero.http.error_body import responses
from portero.http.responses import json_response
from portero.http.runtime import runtime_of
from portero.launches.deps import PlayContextDep, round_post, session_then_query
from portero.launches.reality import ResponsibleGamingOut, figures_of
from portero.rounds.games import Round
from portero.rounds.models import RoundStatus
from portero.rounds.schemas import WalletOut
from portero.slots import service
from portero.slots.games.spec import GameSpec
from portero.slots.schemas import (
    FiguresOut,
    FreeSpinsOut,
    GameOut,
    ReelSpinOut,
    ScatterOut,
    SpinIn,
    SpinOut,
    SpinRecordOut,
    SpinsOut,
    SymbolOut,
    TableOut,
)
from portero.wallet.currency import minor_units

router = APIRouter(prefix="/play/api/slots", tags=["slot games"])


def game_out(game: GameSpec, language: str) -> GameOut:
    return GameOut(
        id=game.id,
        name=game.names.get(language, game.names["en"]),
        reels=game.reels,
        rows=game.rows,
        lines=game.lines,
        ways=game.ways,
        bet_multiplier=game.bet_multiplier,
        symbols=[SymbolOut(code=s.code, glyph=s.glyph, pays=s.pays) for s in game.symbols],
        wild=game.wild,
        scatter=ScatterOut.model_validate(game.scatter.model_dump()) if game.scatter else None,
        free_spins=(
            FreeSpinsOut.model_validate(game.free_spins.model_dump(exclude={"max_spins"}))
            if game.free_spins
            else None
        ),
        figures=FiguresOut.model_validate(game.published.model_dump()),
    )


def record_out(played: Round) -> SpinRecordOut:
    outcome: dict[str, Any] = played.outcome or {}
    return SpinRecordOut(
        id=played.id,
        spin_id=played.request_id,
        created_at=played.created_at,
        game_id=played.game_id,
        currency=played.currency,
        minor_units=minor_units(played.currency),
        bet=played.stake,
        win=played.payout or 0,
        balance_after=played.balance_after,
        win_pending=played.status == RoundStatus.crediting,
        base=ReelSpinOut.model_validate(outcome["base"]),
        free_spins=[ReelSpinOut.model_validate(s) for s in outcome["free_spins"]],
    )


@router.get(
    "/game",
    response_model=TableOut,
    responses=responses(400, 401, 403, 409, 502),
    dependencies=session_then_query(),
)
async def get_game(request: Request, context: PlayContextDep, session: SessionDep) -> TableOut:
    """The game (reels, paytable, published figures), bet levels, the balance (the partner's
    wallet's, when seamless) and whose money it is."""
    table = await service.table(runtime_of(request), session, context, mobile=is_mobile(request))
    return TableOut(
        game=game_out(table.game, context.language),
        currency=table.currency,
        minor_units=minor_units(table.currency),
        bet_levels=table.bet_levels,
        balance=table.balance,
        wallet=WalletOut.of(table.wallet_mode),
        autoplay=context.partner_autoplay and (context.limits is None or context.limits.autoplay),
        responsible_gaming=ResponsibleGamingOut.of(figures_of(context)),
    )


@round_post(
    router,
    "/spins",
    response_model=SpinOut,
    responses=responses(400, 401, 403, 409, 413, 415, 502),
    openapi_extra=request_body(SpinIn),
)
async def post_spin(request: Request, context: PlayContextDep) -> Response:
    """Spin at a bet level: the bet is taken and the win (free spins included) paid through
    the partner's wallet (one transaction on Portero's ledger; a debit, then a credit, with a
    seamless wallet)."""
    spin_request = await read_json(request, SpinIn)  # after the session check (see roulette)
    # No unit of work of its own: on PostgreSQL a ledger round runs on a connection of its
    # own, and the round path opens a session only for a round that needs one.
    runtime = runtime_of(request)
    played = await service.spin(runtime, None, context, spin_request)
    out = SpinOut(
        spin=record_out(played.round),
        balance=played.balance,
        replayed=played.replayed,
        responsible_gaming=ResponsibleGamingOut.of(
            figures_of(context, net_loss=played.session_net_loss)
        ),
    )
    return json_response(out)


@router.get(
    "/spins",
    response_model=SpinsOut,
    responses=responses(400, 401, 403),
    dependencies=session_then_query("limit"),
)
async def list_spins(
    context: PlayContextDep,
    session: SessionDep,
    limit: PageLimit = 20,
) -> SpinsOut:
    """The player's spins of this game, newest first."""
    played = await service.history(session, context, limit=limit)
    return SpinsOut(data=[record_out(s) for s in played])


def install(assembly: Assembly) -> None:
    assembly.include(router)
    assembly.document_bodies(SpinIn)
