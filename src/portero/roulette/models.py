from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class RouletteSeat(Base):
    """A player's provably fair state: the committed (still secret) seed of their next round,
    their client seed, and the next round's nonce."""

    __tablename__ = "roulette_seat"

    player_id: Mapped[int] = mapped_column(
        ForeignKey("player.id", ondelete="CASCADE"), primary_key=True
    )
    server_seed: Mapped[str] = mapped_column(String(64))
    server_seed_hash: Mapped[str] = mapped_column(String(64))
    client_seed: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RouletteRound(Base):
    """One settled spin, with everything needed to verify it and to show it to a regulator."""

    __tablename__ = "roulette_round"
    __table_args__ = (
        # The page's round id: a retried request finds its round instead of playing again.
        UniqueConstraint("player_id", "request_id"),
        Index("ix_roulette_round_player_id_created_at", "player_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    launch_id: Mapped[str] = mapped_column(ForeignKey("launch.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    currency: Mapped[str] = mapped_column(String(3))
    bets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total_stake: Mapped[int] = mapped_column(BigInteger)
    total_return: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(Integer)
    server_seed: Mapped[str] = mapped_column(String(64))
    server_seed_hash: Mapped[str] = mapped_column(String(64))
    client_seed: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
