from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from portero.rounds.listing import PublicStatus, RoundView
from portero.wallet.modes import WalletMode


class WalletOut(BaseModel):
    """Whose money the table plays with: the pages label play money as such."""

    mode: WalletMode
    play_money: bool = Field(description="True for demo money, which is worth nothing.")

    @classmethod
    def of(cls, mode: str) -> WalletOut:
        return cls(mode=WalletMode(mode), play_money=mode == WalletMode.demo)


class RoundTransactionOut(BaseModel):
    id: str = Field(
        description="Seamless: the transaction_id your wallet received. Demo and transfer: "
        "the ledger entry's reference and kind (`<product>:<round>:stake`, `…:win`)."
    )
    type: Literal["debit", "credit", "cancel"]
    amount: int = Field(description="Minor units.")
    status: Literal["pending", "completed", "refused", "failed"]
    outcome: str | None = Field(
        description="The wallet's answer (OK, INSUFFICIENT_FUNDS…) or the last try's (timeout…)."
    )


class RoundOut(BaseModel):
    object: Literal["round"] = "round"
    id: str
    player_id: str
    launch_id: str
    product: Literal["roulette", "slot"]
    game_id: str
    currency: str
    wallet_mode: str = Field(description="demo, transfer or seamless, as the round was played.")
    stake: int = Field(description="Minor units.")
    payout: int | None = Field(description="Minor units; null until the outcome is drawn.")
    status: PublicStatus
    created_at: datetime
    settled_at: datetime | None = Field(description="When the round closed (settled or cancelled).")
    transactions: list[RoundTransactionOut]
    replay_url: str | None = Field(
        description="A signed read-only page of the round, for disputes (valid as long as the "
        "round is kept)."
    )
    outcome: dict[str, Any] | None = Field(
        default=None,
        description="Only on GET /v1/rounds/{id} (and in events): what was drawn, as the "
        "player saw it; see docs/operators.md.",
    )

    @classmethod
    def of(cls, view: RoundView, *, replay_url: str | None, detailed: bool) -> RoundOut:
        played = view.round
        return cls.model_validate(
            {
                "id": played.id,
                "player_id": view.player_id,
                "launch_id": played.launch_id,
                "product": played.product,
                "game_id": played.game_id,
                "currency": played.currency,
                "wallet_mode": played.wallet_mode,
                "stake": played.stake,
                "payout": played.payout,
                "status": view.status,
                "created_at": played.created_at,
                "settled_at": played.settled_at,
                "transactions": [
                    {
                        "id": t.id,
                        "type": t.type,
                        "amount": t.amount,
                        "status": t.status,
                        "outcome": t.outcome,
                    }
                    for t in view.transactions
                ],
                "replay_url": replay_url,
                "outcome": played.outcome if detailed else None,
            }
        )
