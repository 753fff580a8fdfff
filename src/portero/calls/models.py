from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime

agent_category = Table(
    "call_agent_category",
    Base.metadata,
    Column("agent_id", ForeignKey("call_agent.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("call_category.id", ondelete="CASCADE"), primary_key=True),
)


class CallCategory(Base):
    __tablename__ = "call_category"
    __table_args__ = (UniqueConstraint("partner_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CallAgent(Base):
    __tablename__ = "call_agent"
    __table_args__ = (UniqueConstraint("partner_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    # How many customers the agent takes at once (routing, in the call product).
    capacity: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
