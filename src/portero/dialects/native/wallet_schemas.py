"""The native API's wallet bodies: transfers, balances and failed rounds (amounts in minor
units, like every native amount)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from portero.kit.validation import Currency, Printable
from portero.rounds.failures import Resolution, RoundHistory
from portero.transfers.service import Transfer, TransferKind
from portero.wallet.models import WalletAccount

# The partner's own id of a transfer: printable ASCII without "/" (it is part of a URL path).
TransactionId = Annotated[str, StringConstraints(pattern=r"^[!-.0-~]{1,128}$")]


class TransferIn(BaseModel):
    """A deposit or a withdrawal; the same `transaction_id` with the same body answers the
    first outcome again, with another body it is refused (409)."""

    model_config = ConfigDict(extra="forbid", title="WalletTransferIn")

    transaction_id: TransactionId = Field(description="Your id for this movement (idempotency).")
    currency: Currency
    amount: StrictInt = Field(ge=1, le=10**15, description="Minor units (1250 EUR = 12.50 €).")


class WalletTransactionOut(BaseModel):
    object: Literal["wallet_transaction"] = "wallet_transaction"
    id: str = Field(description="Your transaction_id.")
    type: TransferKind
    player_id: str
    currency: str
    amount: int
    status: Literal["completed", "refused"]
    refusal: str | None = Field(description="Why a refused transfer was: insufficient_funds.")
    balance_after: int
    created_at: datetime

    @classmethod
    def of(cls, transfer: Transfer) -> WalletTransactionOut:
        record = transfer.record
        return cls.model_validate(
            {
                "id": record.transaction_id,
                "type": record.kind,
                "player_id": transfer.player_id,
                "currency": record.currency,
                "amount": record.amount,
                "status": record.status,
                "refusal": record.refusal,
                "balance_after": record.balance_after,
                "created_at": record.created_at,
            }
        )


class BalanceOut(BaseModel):
    currency: str
    balance: int
    updated_at: datetime


class PlayerWalletOut(BaseModel):
    object: Literal["player_wallet"] = "player_wallet"
    player_id: str
    balances: list[BalanceOut] = Field(description="One per currency the player has held.")

    @classmethod
    def of(cls, player_id: str, accounts: list[WalletAccount]) -> PlayerWalletOut:
        return cls(
            player_id=player_id,
            balances=[
                BalanceOut(currency=a.currency, balance=a.balance, updated_at=a.updated_at)
                for a in accounts
            ],
        )


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", title="FailedRoundResolveIn")

    resolution: Resolution = Field(
        description="credited: the round stands and its return was paid by hand; cancelled: "
        "nothing is owed either way."
    )
    note: Annotated[str, StringConstraints(min_length=1, max_length=400), Printable]


class CallTryOut(BaseModel):
    at: datetime
    by: str = Field(description="inline (the round's request), engine, or operator.")
    outcome: str
    http_status: int | None
    duration_ms: int
    detail: str | None


class WalletCallOut(BaseModel):
    kind: Literal["debit", "credit", "cancel"]
    transaction_id: str
    amount: str = Field(description="As sent to the wallet: a decimal of the currency's units.")
    status: Literal["pending", "done", "failed"]
    attempts: int
    last_outcome: str | None
    tries: list[CallTryOut]


class FailedRoundOut(BaseModel):
    object: Literal["failed_round"] = "failed_round"
    id: str
    product: str
    game_id: str
    currency: str
    stake: int
    payout: int | None
    status: str
    note: str | None
    created_at: datetime
    updated_at: datetime
    calls: list[WalletCallOut]

    @classmethod
    def of(cls, history: RoundHistory) -> FailedRoundOut:
        played = history.round
        return cls(
            id=played.id,
            product=played.product,
            game_id=played.game_id,
            currency=played.currency,
            stake=played.stake,
            payout=played.payout,
            status=played.status,
            note=played.note,
            created_at=played.created_at,
            updated_at=played.updated_at,
            calls=[_call(call, history.attempts) for call in history.deliveries],
        )


def _call(call: Any, attempts: list[Any]) -> WalletCallOut:
    return WalletCallOut.model_validate(
        {
            "kind": call.payload["method"],
            "transaction_id": call.payload["transaction_id"],
            "amount": call.payload["amount"],
            "status": call.status,
            "attempts": call.attempts,
            "last_outcome": call.last_outcome,
            "tries": [
                {
                    "at": a.started_at,
                    "by": a.by,
                    "outcome": a.outcome,
                    "http_status": a.http_status,
                    "duration_ms": a.duration_ms,
                    "detail": a.detail,
                }
                for a in attempts
                if a.delivery_id == call.id
            ],
        }
    )


class FailedRoundList(BaseModel):
    object: Literal["list"] = "list"
    url: str = "/v1/wallet/failures"
    data: list[FailedRoundOut]
    has_more: bool = False


BODY_MODELS = (TransferIn, ResolveIn)
