from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, BigId, UtcDateTime


class DeliveryStatus(enum.StrEnum):
    pending = "pending"  # to be tried at `next_attempt_at` (by whoever claims it then)
    done = "done"  # answered: its handler has recorded what the answer means
    failed = "failed"  # the schedule is spent, or the answer says it never will succeed


class Delivery(Base):
    """One call to make to a partner until it is answered: what to send (`payload`), to which
    handler it belongs (`kind`), and when it is next due.

    A claim sets `claim_token` and moves `next_attempt_at` a lease ahead (the call's timeout
    and a margin): while the claimant works, nobody else takes it; if the claimant dies, the
    call comes due again when the lease ends. Only the holder of the claim records the answer.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        # One debit, one credit, one cancel per round; one delivery per event and endpoint.
        UniqueConstraint("subject_id", "kind"),
        Index(
            "ix_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # A webhook endpoint's delivery log, newest first.
        Index(
            "ix_delivery_target_id_id",
            "target_id",
            "id",
            postgresql_where=text("target_id IS NOT NULL"),
            sqlite_where=text("target_id IS NOT NULL"),
        ),
        # What is still pending or has failed, by kind: the engine's gauges.
        Index(
            "ix_delivery_kind_status_undone",
            "kind",
            "status",
            postgresql_where=text("status <> 'done'"),
            sqlite_where=text("status <> 'done'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # wallet.debit, wallet.credit, wallet.cancel
    subject_id: Mapped[str] = mapped_column(String(64))  # the round; the event and endpoint
    # Where it goes when that is not the partner's wallet: a webhook endpoint (its log).
    target_id: Mapped[str | None] = mapped_column(String(40), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32), default=None)
    last_outcome: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class DeliveryAttempt(Base):
    """One try of a delivery and what came of it: the history an operator reads before
    settling a failed round by hand. Never updated."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("delivery.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1 for the first try
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(64))  # OK, TEMPORARY_ERROR, timeout, http 500…
    http_status: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[str | None] = mapped_column(String(500), default=None)
    by: Mapped[str] = mapped_column(String(16))  # inline (the round's request), engine
