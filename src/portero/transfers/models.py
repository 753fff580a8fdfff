from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class WalletTransfer(Base):
    """A transfer partner's deposit or withdrawal, by the partner's own transaction id: its
    fate (completed, or refused and why) stays readable for as long as the record is kept
    (at least 90 days), because a partner whose call timed out must be able to ask."""

    __tablename__ = "wallet_transfer"
    __table_args__ = (
        UniqueConstraint("partner_id", "transaction_id"),
        Index("ix_wallet_transfer_partner_id_created_at", "partner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    transaction_id: Mapped[str] = mapped_column(String(128))
    # The request as first received (kind, currency, amount): a repeat must match it.
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    kind: Mapped[str] = mapped_column(String(16))  # deposit, withdrawal
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # completed, refused
    refusal: Mapped[str | None] = mapped_column(String(32), default=None)  # insufficient_funds…
    balance_after: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
