"""Native API v1: a transfer partner's deposits, withdrawals and balances; any partner's failed
rounds (docs/wallets.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from starlette.responses import JSONResponse

from portero.dialects.native import errors
from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.wallet_schemas import (
    FailedRoundList,
    FailedRoundOut,
    PlayerWalletOut,
    ResolveIn,
    TransactionId,
    TransferIn,
    WalletTransactionOut,
)
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, SessionDep, only_query_params
from portero.http.error_body import responses
from portero.rounds import failures
from portero.transfers import service as transfers
from portero.transfers.service import TransferKind, TransferRequest
from portero.wallet.errors import InsufficientFunds

router = APIRouter(prefix="/v1", tags=["native API v1: wallet"], responses=responses(429))
RoundId = Annotated[str, Path(pattern=r"^[a-z]{3}_[0-9a-z]{26}$")]
NO_QUERY = [Depends(only_query_params(frozenset()))]


async def _transfer(
    request: Request,
    partner: CurrentPartner,
    session: SessionDep,
    player_id: str,
    kind: TransferKind,
) -> Response:
    body = await read_json(request, TransferIn)
    moved = await transfers.move(
        session,
        partner_id=partner.id,
        player_id=player_id,
        kind=kind,
        request=TransferRequest(body.transaction_id, body.currency, body.amount),
    )
    headers = {"Idempotent-Replayed": "true"} if moved.replayed else None
    if moved.refused:
        # Answered, not raised: the refusal is recorded (and committed) for a later lookup.
        refusal = InsufficientFunds(
            "The player's balance does not cover this withdrawal.", param="amount"
        )
        code, error = errors.error_body(refusal)
        return JSONResponse(error, status_code=code, headers=headers)
    return Response(
        WalletTransactionOut.of(moved).model_dump_json(),
        status_code=status.HTTP_201_CREATED,
        headers=headers,
        media_type="application/json",
    )


@router.post(
    "/players/{player_id:path}/wallet/deposits",
    status_code=status.HTTP_201_CREATED,
    response_model=WalletTransactionOut,
    responses=responses(400, 401, 403, 409, 413, 415),
    openapi_extra=request_body(TransferIn),
    dependencies=NO_QUERY,
)
async def deposit(
    player_id: str, request: Request, partner: CurrentPartner, session: SessionDep
) -> Response:
    """Move money onto the player's balance with Portero (transfer wallets); a player Portero
    has not met yet is registered by it."""
    return await _transfer(request, partner, session, player_id, TransferKind.deposit)


@router.post(
    "/players/{player_id:path}/wallet/withdrawals",
    status_code=status.HTTP_201_CREATED,
    response_model=WalletTransactionOut,
    responses=responses(400, 401, 403, 404, 409, 413, 415),
    openapi_extra=request_body(TransferIn),
    dependencies=NO_QUERY,
)
async def withdraw(
    player_id: str, request: Request, partner: CurrentPartner, session: SessionDep
) -> Response:
    """Move money off the player's balance; never more than it holds (409
    `insufficient_funds`, recorded as a refused transfer)."""
    return await _transfer(request, partner, session, player_id, TransferKind.withdrawal)


@router.get(
    "/players/{player_id:path}/wallet",
    response_model=PlayerWalletOut,
    responses=responses(401, 403, 404, 409),
    dependencies=NO_QUERY,
)
async def get_wallet(
    player_id: str, partner: CurrentPartner, session: SessionDep
) -> PlayerWalletOut:
    """The player's balances with Portero, one per currency (transfer wallets)."""
    await transfers.require_transfer_mode(session, partner.id)
    accounts = await transfers.balances(session, partner_id=partner.id, player_id=player_id)
    return PlayerWalletOut.of(player_id, accounts)


@router.get(
    "/wallet/transactions/{transaction_id}",
    response_model=WalletTransactionOut,
    responses=responses(400, 401, 403, 404),
    dependencies=NO_QUERY,
)
async def get_transaction(
    transaction_id: Annotated[TransactionId, Path()],
    partner: CurrentPartner,
    session: SessionDep,
) -> WalletTransactionOut:
    """The fate of a deposit or withdrawal by your transaction_id (completed, or refused and
    why): ask after a call that timed out, before sending it again."""
    found = await transfers.find(session, partner_id=partner.id, transaction_id=transaction_id)
    return WalletTransactionOut.of(found)


@router.get(
    "/wallet/failures",
    response_model=FailedRoundList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(frozenset({"limit"})))],
)
async def list_failures(
    partner: CurrentPartner, session: SessionDep, limit: PageLimit = 100
) -> FailedRoundList:
    """Rounds whose calls to your wallet were retried until the schedule was spent, oldest
    first, each with every call and try: settle them with retry or resolve."""
    found = await failures.failed_rounds(session, partner_id=partner.id, limit=limit)
    return FailedRoundList(data=[FailedRoundOut.of(history) for history in found])


@router.post(
    "/wallet/failures/{round_id}/retry",
    response_model=FailedRoundOut,
    responses=responses(401, 403, 404, 409),
    dependencies=NO_QUERY,
)
async def retry_failure(
    round_id: RoundId, partner: CurrentPartner, session: SessionDep
) -> FailedRoundOut:
    """Try the round's failed call again, from the start of the retry schedule."""
    history = await failures.retry(session, partner_id=partner.id, round_id=round_id)
    return FailedRoundOut.of(history)


@router.post(
    "/wallet/failures/{round_id}/resolve",
    response_model=FailedRoundOut,
    responses=responses(400, 401, 403, 404, 409, 413, 415),
    openapi_extra=request_body(ResolveIn),
    dependencies=NO_QUERY,
)
async def resolve_failure(
    round_id: RoundId, request: Request, partner: CurrentPartner, session: SessionDep
) -> FailedRoundOut:
    """Settle a failed round by hand, after checking your own books."""
    body = await read_json(request, ResolveIn)
    history = await failures.resolve(
        session,
        partner_id=partner.id,
        round_id=round_id,
        resolution=body.resolution,
        note=body.note,
    )
    return FailedRoundOut.of(history)
