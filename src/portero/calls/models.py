"""Tables of the call product: the partner's directory (categories, agents), and the calls.

The agent row carries everything routing decides on (presence, the offer ringing, how many calls
are in progress), so that every routing decision is a conditional UPDATE of that one row: two
servers racing for one agent serialise on its row lock and the loser's WHERE no longer matches.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portero.kit.db import Base, UtcDateTime

agent_category = Table(
    "call_agent_category",
    Base.metadata,
    Column("agent_id", ForeignKey("call_agent.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("call_category.id", ondelete="CASCADE"), primary_key=True),
)


class Presence(enum.StrEnum):
    offline = "offline"
    available = "available"
    busy = "busy"


class CallStatus(enum.StrEnum):
    waiting = "waiting"  # in the queue, no agent ringing
    ringing = "ringing"  # offered to one agent, who has not answered yet
    connected = "connected"
    completed = "completed"  # answered, then hung up (or dropped)
    missed = "missed"  # nobody answered in time
    abandoned = "abandoned"  # the customer left before an agent answered


# `ended_by` of a call that joined while its desk was closed (calls/hours.py): missed at once.
CLOSED = "closed"
OPEN_STATUSES = (CallStatus.waiting, CallStatus.ringing, CallStatus.connected)
QUEUED_STATUSES = (CallStatus.waiting, CallStatus.ringing)
# As stored, for SQL (`status IN (…)`) and for rows read back.
OPEN = tuple(status.value for status in OPEN_STATUSES)
QUEUED = tuple(status.value for status in QUEUED_STATUSES)


class OfferOutcome(enum.StrEnum):
    accepted = "accepted"
    rejected = "rejected"
    timeout = "timeout"  # no answer in time, or the agent went offline while it rang
    withdrawn = "withdrawn"  # the customer left while it rang


class CallCategory(Base):
    __tablename__ = "call_category"
    __table_args__ = (UniqueConstraint("partner_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The category's opening hours (calls/hours.py); none: the partner's (`partner.call_hours`).
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class CallAgent(Base):
    __tablename__ = "call_agent"
    __table_args__ = (
        UniqueConstraint("partner_id", "code"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("active_calls >= 0", name="active_calls_not_negative"),
        # The agents the clock watches (their consoles may fall silent): its probe reads the
        # oldest heartbeat here every second, whatever the size of the directory.
        Index(
            "ix_call_agent_present",
            "seen_at",
            sqlite_where=text("presence <> 'offline'"),
            postgresql_where=text("presence <> 'offline'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    # How many customers the agent takes at once.
    capacity: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    presence: Mapped[str] = mapped_column(
        String(16), default=Presence.offline, server_default=Presence.offline.value
    )
    presence_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Last heartbeat of a connected console: an agent not seen for the grace period is offline.
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Since when the agent has had nothing to do: routing picks the longest idle first.
    idle_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Calls in progress, kept on the row (not counted) so that the routing UPDATE can test it.
    active_calls: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The call ringing on the agent's console: one offer at a time.
    offer_call_id: Mapped[str | None] = mapped_column(String(40), default=None)


class Call(Base):
    """One customer's request to talk to an agent, from the queue to its outcome."""

    __tablename__ = "call"
    __table_args__ = (
        # One open call per link: a second tab or a reload joins the same call.
        Index(
            "uq_call_open_launch",
            "launch_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'ringing', 'connected')"),
            postgresql_where=text("status IN ('waiting', 'ringing', 'connected')"),
        ),
        Index("ix_call_partner_id_status_created_at", "partner_id", "status", "created_at"),
        Index("ix_call_partner_id_id", "partner_id", "id"),
        CheckConstraint(
            "satisfaction_score BETWEEN 1 AND 5", name="satisfaction_score_one_to_five"
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    launch_id: Mapped[str] = mapped_column(ForeignKey("launch.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    # The link's target: one agent, one category, or (both empty) any agent of the partner.
    target_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL"), default=None
    )
    target_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_category.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(16))
    # The play session (the customer's browser tab) that started the call: the only one that may
    # join it while it is open (NULL on calls from before calls had owners).
    play_session_id: Mapped[str | None] = mapped_column(String(40), default=None)
    tickets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The agent ringing or talking (and, once over, the one who answered).
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Past this, a call still waiting is missed.
    give_up_at: Mapped[datetime] = mapped_column(UtcDateTime())
    customer_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    ended_by: Mapped[str | None] = mapped_column(String(16), default=None)
    # The customer's rating of a completed call (1-5) and comment: at most one, kept with the
    # call and removed with it.
    satisfaction_score: Mapped[int | None] = mapped_column(default=None)
    satisfaction_comment: Mapped[str | None] = mapped_column(String(1000), default=None)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CallOffer(Base):
    """Each time a call rang on an agent's console, and how that ended."""

    __tablename__ = "call_offer"
    __table_args__ = (UniqueConstraint("call_id", "agent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("call_agent.id", ondelete="CASCADE"))
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)


class TransferStatus(enum.StrEnum):
    ringing = "ringing"  # offered to one agent, who has not answered yet
    accepted = "accepted"  # that agent took the call: the first agent's leg ended
    rejected = "rejected"
    timeout = "timeout"  # no answer in time, or the agent went away while it rang
    withdrawn = "withdrawn"  # the call ended while it rang


class CallTransfer(Base):
    """An agent's hand-over of a call in progress to another agent or to a category: it rings
    on one agent; on accept that agent's leg of the call begins (calls/transfers.py)."""

    __tablename__ = "call_transfer"
    __table_args__ = (
        # One transfer rings at a time per call.
        Index(
            "uq_call_transfer_ringing_call_id",
            "call_id",
            unique=True,
            sqlite_where=text("status = 'ringing'"),
            postgresql_where=text("status = 'ringing'"),
        ),
        # The clock's probe: the earliest transfer ringing out.
        Index(
            "ix_call_transfer_ringing_expires_at",
            "expires_at",
            sqlite_where=text("status = 'ringing'"),
            postgresql_where=text("status = 'ringing'"),
        ),
        Index("ix_call_transfer_call_id_created_at", "call_id", "created_at"),
        # A console's calls handed over lately (views.console_view).
        Index("ix_call_transfer_from_agent_id_answered_at", "from_agent_id", "answered_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    from_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL")
    )
    # What the agent asked for: one agent, or a category (its free agents, longest idle first).
    to_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL"), default=None
    )
    to_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_category.id", ondelete="SET NULL"), default=None
    )
    # The agent it rang on.
    offered_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(500), default=None)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class MessageSender(enum.StrEnum):
    customer = "customer"
    agent = "agent"


class CallFile(Base):
    """A file sent in a call's chat (calls/files.py): the bytes are in the file store under the
    file's id, this row says what they are and whose."""

    __tablename__ = "call_file"
    __table_args__ = (Index("ix_call_file_call_id", "call_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL"), default=None
    )
    # As the sender's browser named it, cleaned up for showing (never a path).
    name: Mapped[str] = mapped_column(String(200))
    # As its content says, never as the browser said.
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CallMessage(Base):
    """One chat message of a call, as it was relayed: the call's transcript
    (calls/transcripts.py), removed with the call."""

    __tablename__ = "call_message"
    __table_args__ = (Index("ix_call_message_call_id_id", "call_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sender: Mapped[str] = mapped_column(String(16))
    # The agent who wrote it, or who was on the call when the customer did.
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(String(2000))
    # A file sent in the chat (its name is the text).
    file_id: Mapped[str | None] = mapped_column(
        ForeignKey("call_file.id", ondelete="SET NULL"), default=None
    )


class CallbackStatus(enum.StrEnum):
    open = "open"
    done = "done"


class CallCallback(Base):
    """A customer's request to be called back, left on the page of a call nobody answered (the
    desk was closed, or nobody took it in time): at most one per call."""

    __tablename__ = "call_callback"
    __table_args__ = (
        Index("ix_call_callback_partner_id_status_id", "partner_id", "status", "id"),
        Index("ix_call_callback_partner_id_id", "partner_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    # Removed with its call (the call's retention): the customer and the target are the call's.
    call_id: Mapped[str] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(8), default=CallbackStatus.open)
    preferred_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    message: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Who marked it done: an agent from the console, or the partner through the API ("api").
    done_by: Mapped[str | None] = mapped_column(String(16), default=None)
    done_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_agent.id", ondelete="SET NULL"), default=None
    )


# Core handles of the tables, for the repositories' conditional UPDATEs and joins.
AGENT = cast(Table, CallAgent.__table__)
CALL = cast(Table, Call.__table__)
OFFER = cast(Table, CallOffer.__table__)
CALLBACK = cast(Table, CallCallback.__table__)
CATEGORY = cast(Table, CallCategory.__table__)
MESSAGE = cast(Table, CallMessage.__table__)
TRANSFER = cast(Table, CallTransfer.__table__)
FILE = cast(Table, CallFile.__table__)
