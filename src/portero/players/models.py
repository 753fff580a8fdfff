from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime


class Player(Base):
    __tablename__ = "player"
    __table_args__ = (UniqueConstraint("partner_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    nickname: Mapped[str | None] = mapped_column(String(100), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    cellphone: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str | None] = mapped_column(String(2), default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
