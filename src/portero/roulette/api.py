"""The roulette table's play API (bearer: the play-session token of a roulette launch)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from portero.http.assembly import Assembly
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, SessionDep, is_mobile
from portero.http.error_body import responses
from portero.http.responses import json_response
from portero.http.runtime import runtime_of
from portero.launches.deps import PlayContextDep, round_post, session_then_query
from portero.launches.reality import ResponsibleGamingOut, figures_of
from portero.roulette import service
from portero.roulette.pg_seats import Seat
from portero.roulette.schemas import (
    BetOut,
    Commitment,
    Fairness,
    Limits,
    RoundOut,
    RoundsOut,
    SpinIn,
    SpinOut,
    TableOut,
)
from portero.roulette.wheel import color
from portero.rounds.games import Round
from portero.rounds.models import RoundStatus
from portero.rounds.schemas import WalletOut
from portero.wallet.currency import minor_units

router = APIRouter(prefix="/play/api/roulette", tags=["roulette table"])


def _commitment(seat: Seat) -> Commitment:
    return Commitment(
        server_seed_hash=seat.server_seed_hash, client_seed=seat.client_seed, nonce=seat.nonce
    )


def round_out(played: Round) -> RoundOut:
    outcome = played.outcome or {}
    number = int(outcome["number"])
    return RoundOut(
        id=played.id,
        round_id=played.request_id,
        created_at=played.created_at,
        currency=played.currency,
        minor_units=minor_units(played.currency),
        bets=[BetOut.model_validate(bet) for bet in outcome["bets"]],
        total_stake=played.stake,
        total_return=played.payout or 0,
        number=number,
        color=color(number),
        balance_after=played.balance_after,
        win_pending=played.status == RoundStatus.crediting,
        fairness=Fairness.model_validate(outcome["fairness"]),
    )


@router.get(
    "/table",
    response_model=TableOut,
    responses=responses(400, 401, 403, 409, 502),
    dependencies=session_then_query(),
)
async def get_table(request: Request, context: PlayContextDep, session: SessionDep) -> TableOut:
    """Limits, chips, the balance (the partner's wallet's, when seamless), whose money it is,
    the next round's commitment and the last numbers."""
    table = await service.table(runtime_of(request), session, context, mobile=is_mobile(request))
    return TableOut(
        currency=table.currency,
        minor_units=minor_units(table.currency),
        limits=Limits(min_bet=table.terms.min_bet, max_bet=table.terms.max_bet),
        chips=table.chips,
        balance=table.balance,
        wallet=WalletOut.of(table.wallet_mode),
        next=_commitment(table.seat),
        last_numbers=table.last_numbers,
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
    """Place the bets and spin: the whole stake is taken and the return paid through the
    partner's wallet (in one transaction on Portero's ledger; a debit, then a credit, with a
    seamless wallet)."""
    # The body is read here, after the session has been checked (a FastAPI body parameter
    # would be parsed first, and a malformed body would hide an ended session).
    spin_request = await read_json(request, SpinIn)
    # No unit of work of its own: on PostgreSQL a ledger round runs on a connection of its
    # own, and the round path opens a session only for a round that needs one.
    runtime = runtime_of(request)
    spun = await service.spin(runtime, None, context, spin_request)
    out = SpinOut(
        round=round_out(spun.played.round),
        balance=spun.played.balance,
        next=_commitment(spun.seat),
        replayed=spun.played.replayed,
        responsible_gaming=ResponsibleGamingOut.of(
            figures_of(context, net_loss=spun.played.session_net_loss)
        ),
    )
    return json_response(out)


@router.get(
    "/rounds",
    response_model=RoundsOut,
    responses=responses(400, 401, 403),
    dependencies=session_then_query("limit"),
)
async def list_rounds(
    context: PlayContextDep,
    session: SessionDep,
    limit: PageLimit = 20,
) -> RoundsOut:
    """The player's own rounds, newest first, with their bets and seeds."""
    played = await service.rounds_of(session, context, limit=limit)
    return RoundsOut(data=[round_out(r) for r in played])


def install(assembly: Assembly) -> None:
    assembly.include(router)
    assembly.document_bodies(SpinIn)
