from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class SlotSpin(Base):
    """One settled spin (its free spins included), with everything the player was shown."""

    __tablename__ = "slot_spin"
    __table_args__ = (
        # The page's spin id: a retried request finds its spin instead of playing again.
        UniqueConstraint("player_id", "request_id"),
        Index("ix_slot_spin_player_id_created_at", "player_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    launch_id: Mapped[str] = mapped_column(ForeignKey("launch.id", ondelete="CASCADE"), index=True)
    game_id: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    currency: Mapped[str] = mapped_column(String(3))
    credit_value: Mapped[int] = mapped_column(BigInteger)
    bet: Mapped[int] = mapped_column(BigInteger)
    win: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
