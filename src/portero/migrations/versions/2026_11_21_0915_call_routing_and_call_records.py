"""call routing and call records

Revision ID: 857854d668b6
Revises: 58cd5b5853c4
Create Date: 2026-11-21 09:15:19.047770
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "857854d668b6"
down_revision: str | None = "58cd5b5853c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("launch_id", sa.String(length=40), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("target_agent_id", sa.Integer(), nullable=True),
        sa.Column("target_category_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tickets", sa.JSON(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("give_up_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("customer_seen_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("offered_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_agent_id_call_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["launch_id"], ["launch.id"], name=op.f("fk_call_launch_id_launch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_call_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"], ["player.id"], name=op.f("fk_call_player_id_player"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_target_agent_id_call_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_category_id"],
            ["call_category.id"],
            name=op.f("fk_call_target_category_id_call_category"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call")),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index("ix_call_partner_id_id", ["partner_id", "id"], unique=False)
        batch_op.create_index(
            "ix_call_partner_id_status_created_at",
            ["partner_id", "status", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "uq_call_open_launch",
            ["launch_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'ringing', 'connected')"),
            postgresql_where=sa.text("status IN ('waiting', 'ringing', 'connected')"),
        )

    op.create_table(
        "call_offer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("offered_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_offer_agent_id_call_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_offer_call_id_call"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_offer")),
        sa.UniqueConstraint("call_id", "agent_id", name=op.f("uq_call_offer_call_id_agent_id")),
    )
    with op.batch_alter_table("call_agent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("presence", sa.String(length=16), server_default="offline", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "presence_changed_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("seen_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("idle_since", portero.kit.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("active_calls", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(sa.Column("offer_call_id", sa.String(length=40), nullable=True))
        batch_op.create_check_constraint("capacity_positive", "capacity >= 1")
        batch_op.create_check_constraint("active_calls_not_negative", "active_calls >= 0")

    with op.batch_alter_table("play_session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_play_session_launch_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_play_session_launch_id"), ["launch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("play_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_play_session_launch_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_play_session_launch_id"), ["launch_id"])

    with op.batch_alter_table("call_agent", schema=None) as batch_op:
        batch_op.drop_constraint("active_calls_not_negative", type_="check")
        batch_op.drop_constraint("capacity_positive", type_="check")
        batch_op.drop_column("offer_call_id")
        batch_op.drop_column("active_calls")
        batch_op.drop_column("idle_since")
        batch_op.drop_column("seen_at")
        batch_op.drop_column("presence_changed_at")
        batch_op.drop_column("presence")

    op.drop_table("call_offer")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_call_open_launch",
            sqlite_where=sa.text("status IN ('waiting', 'ringing', 'connected')"),
            postgresql_where=sa.text("status IN ('waiting', 'ringing', 'connected')"),
        )
        batch_op.drop_index("ix_call_partner_id_status_created_at")
        batch_op.drop_index("ix_call_partner_id_id")
        batch_op.drop_index(batch_op.f("ix_call_agent_id"))

    op.drop_table("call")
