"""call desk hours and callbacks

Revision ID: 7a4e2b9c1d36
Revises: 5c1d8e3f7a92
Create Date: 2026-12-08 01:00:00

Opening hours per call category and a partner default, and the customers' callback requests.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portero.kit.db import UtcDateTime

revision: str = "7a4e2b9c1d36"
down_revision: str | None = "5c1d8e3f7a92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hours", sa.JSON(), nullable=True))
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_hours", sa.JSON(), nullable=True))
    op.create_table(
        "call_callback",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("preferred_at", UtcDateTime(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=16), nullable=True),
        sa.Column("done_by_agent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_callback_call_id_call"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["done_by_agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_callback_done_by_agent_id_call_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_call_callback_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_callback")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_callback_call_id")),
    )
    op.create_index(
        "ix_call_callback_partner_id_status_id",
        "call_callback",
        ["partner_id", "status", "id"],
        unique=False,
    )
    op.create_index(
        "ix_call_callback_partner_id_id", "call_callback", ["partner_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_call_callback_partner_id_id", table_name="call_callback")
    op.drop_index("ix_call_callback_partner_id_status_id", table_name="call_callback")
    op.drop_table("call_callback")
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("call_hours")
    with op.batch_alter_table("call_category", schema=None) as batch_op:
        batch_op.drop_column("hours")
