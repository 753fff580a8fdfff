from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class RoundStatus(enum.StrEnum):
    """Where a round stands (docs/wallets.md, "The round's states").

    A round on Portero's ledger (demo, transfer) is written `settled` in the transaction that
    plays it. A seamless round passes through the open states while its partner's wallet is
    called: `debiting` (the debit is being sent), `debit_unknown` (its fate is being probed),
    `crediting` (drawn, the return being paid) and `cancelling` (a debit being given back).
    """

    debiting = "debiting"
    debit_unknown = "debit_unknown"
    crediting = "crediting"
    cancelling = "cancelling"
    settled = "settled"  # stake taken, return paid: the round counts
    cancelled = "cancelled"  # nothing owed: the debit was refused, or given back
    failed = "failed"  # retries spent: an operator settles it (`portero wallet failures`)


CLOSED_STATUSES = (RoundStatus.settled, RoundStatus.cancelled)

OPEN_STATUSES = (
    RoundStatus.debiting,
    RoundStatus.debit_unknown,
    RoundStatus.crediting,
    RoundStatus.cancelling,
)


class GameRound(Base):
    """One round of a game (a roulette spin with all its bets, a slot spin with its free
    spins), with everything needed to verify it and to show it again."""

    __tablename__ = "game_round"
    __table_args__ = (
        # The page's round id: a retried request finds its round instead of playing again.
        UniqueConstraint("player_id", "request_id"),
        Index("ix_game_round_player_id_game_id_created_at", "player_id", "game_id", "created_at"),
        # The partner's rounds by time (GET /v1/rounds, the daily report), by player, by game;
        # and every partner's by time (the retention purge). docs/operators.md has the plans.
        Index("ix_game_round_partner_id_created_at_id", "partner_id", "created_at", "id"),
        Index("ix_game_round_player_id_created_at_id", "player_id", "created_at", "id"),
        Index(
            "ix_game_round_partner_id_game_id_created_at_id",
            "partner_id",
            "game_id",
            "created_at",
            "id",
        ),
        Index("ix_game_round_created_at", "created_at"),
        # The rounds not yet closed for good (open, or failed and waiting for an operator):
        # what a change of wallet mode and the list of failed rounds look for.
        Index(
            "ix_game_round_partner_id_unsettled",
            "partner_id",
            "status",
            postgresql_where=text("status NOT IN ('settled', 'cancelled')"),
            sqlite_where=text("status NOT IN ('settled', 'cancelled')"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    launch_id: Mapped[str] = mapped_column(ForeignKey("launch.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(16))  # roulette, slot
    game_id: Mapped[str] = mapped_column(String(64))  # "roulette", or the slot game's id
    request_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    currency: Mapped[str] = mapped_column(String(3))
    wallet_mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    stake: Mapped[int] = mapped_column(BigInteger)
    # Known once the outcome is drawn (at once on the ledger; after the debit when seamless).
    payout: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The balance after the round: the ledger's, or the last one the partner's wallet reported.
    balance_after: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # What the game drew, as the player saw it (roulette: bets, number, seeds; slot: reels).
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The partner wallet's status that decided the round (INSUFFICIENT_FUNDS…), and why a
    # round closed otherwise than settled, for people (the engine's or an operator's note).
    wallet_status: Mapped[str | None] = mapped_column(String(32), default=None)
    note: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
