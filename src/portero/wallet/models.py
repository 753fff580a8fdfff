from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, BigId, UtcDateTime


class WalletAccount(Base):
    """One player's balance in one currency, in minor units, on Portero's ledger: play money
    (`mode` demo) or the real money a transfer partner moved in (`mode` transfer). The two
    never mix: a partner that changes its mode finds its players' other balances untouched."""

    __tablename__ = "wallet_account"
    __table_args__ = (
        UniqueConstraint("player_id", "currency", "mode"),
        # The last line of defence: the debit statement already refuses to overdraw.
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    mode: Mapped[str] = mapped_column(String(16), server_default=text("'demo'"))
    balance: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WalletEntry(Base):
    """One movement of an account: the opening credit, a stake, a win, a deposit, a
    withdrawal. Never updated."""

    __tablename__ = "wallet_entry"
    __table_args__ = (
        # A game round (the reference) debits once and pays once, however often it is retried;
        # a transfer (its partner's transaction id) moves money once.
        UniqueConstraint("account_id", "reference", "kind"),
        # What the retention purge removes, oldest first.
        Index("ix_wallet_entry_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Indexed by the unique key below, whose first column it is.
    account_id: Mapped[int] = mapped_column(ForeignKey("wallet_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
