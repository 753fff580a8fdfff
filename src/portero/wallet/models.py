from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class WalletAccount(Base):
    """One player's balance in one currency, in minor units."""

    __tablename__ = "wallet_account"
    __table_args__ = (
        UniqueConstraint("player_id", "currency"),
        # The last line of defence: the debit statement already refuses to overdraw.
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WalletEntry(Base):
    """One movement of an account: the opening credit, a stake, a win. Never updated."""

    __tablename__ = "wallet_entry"
    __table_args__ = (
        # A game round (the reference) debits once and pays once, however often it is retried.
        UniqueConstraint("account_id", "reference", "kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Indexed by the unique key below, whose first column it is.
    account_id: Mapped[int] = mapped_column(ForeignKey("wallet_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
