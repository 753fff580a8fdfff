"""The roulette table's play API (bearer: the play-session token of a roulette launch)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from portero.http.assembly import Assembly
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, SessionDep
from portero.http.error_body import responses
from portero.launches.deps import PlayContextDep, session_then_query
from portero.roulette import service
from portero.roulette.models import RouletteRound, RouletteSeat
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
from portero.wallet.currency import minor_units

router = APIRouter(prefix="/play/api/roulette", tags=["roulette table"])


def _commitment(seat: RouletteSeat) -> Commitment:
    return Commitment(
        server_seed_hash=seat.server_seed_hash, client_seed=seat.client_seed, nonce=seat.nonce
    )


def _round(played: RouletteRound) -> RoundOut:
    return RoundOut(
        id=played.id,
        round_id=played.request_id,
        created_at=played.created_at,
        currency=played.currency,
        minor_units=minor_units(played.currency),
        bets=[BetOut.model_validate(bet) for bet in played.bets],
        total_stake=played.total_stake,
        total_return=played.total_return,
        number=played.number,
        color=color(played.number),
        balance_after=played.balance_after,
        fairness=Fairness(
            server_seed=played.server_seed,
            server_seed_hash=played.server_seed_hash,
            client_seed=played.client_seed,
            nonce=played.nonce,
        ),
    )


@router.get(
    "/table",
    response_model=TableOut,
    responses=responses(400, 401, 403),
    dependencies=session_then_query(),
)
async def get_table(context: PlayContextDep, session: SessionDep) -> TableOut:
    """Limits, chips, balance, the next round's commitment and the last numbers."""
    table = await service.table(session, context)
    return TableOut(
        currency=table.currency,
        minor_units=minor_units(table.currency),
        limits=Limits(min_bet=table.terms.min_bet, max_bet=table.terms.max_bet),
        chips=table.chips,
        balance=table.balance,
        next=_commitment(table.seat),
        last_numbers=table.last_numbers,
    )


@router.post(
    "/spins",
    response_model=SpinOut,
    responses=responses(400, 401, 403, 409, 413, 415),
    dependencies=session_then_query(),
    openapi_extra=request_body(SpinIn),
)
async def post_spin(request: Request, context: PlayContextDep, session: SessionDep) -> SpinOut:
    """Place the bets and spin: the stake is taken and the return paid in one transaction."""
    # The body is read here, after the session has been checked (a FastAPI body parameter
    # would be parsed first, and a malformed body would hide an ended session).
    spin_request = await read_json(request, SpinIn)
    spun = await service.spin(session, context, spin_request)
    return SpinOut(
        round=_round(spun.round),
        balance=spun.balance,
        next=_commitment(spun.seat),
        replayed=spun.replayed,
    )


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
    return RoundsOut(data=[_round(r) for r in await service.rounds(session, context, limit=limit)])


def install(assembly: Assembly) -> None:
    assembly.include(router)
    assembly.document_bodies(SpinIn)
