"""call transfers

Revision ID: 4e8c1a7d2b90
Revises: 9d2f6a1b3c58
Create Date: 2026-12-08 05:00:00

An agent's hand-over of a call in progress to another agent or a category (calls/transfers.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portero.kit.db import UtcDateTime

revision: str = "4e8c1a7d2b90"
down_revision: str | None = "9d2f6a1b3c58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RINGING = sa.text("status = 'ringing'")


def _agent(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["call_agent.id"],
        name=op.f(f"fk_call_transfer_{column}_call_agent"),
        ondelete="SET NULL",
    )


def upgrade() -> None:
    op.create_table(
        "call_transfer",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("from_agent_id", sa.Integer(), nullable=True),
        sa.Column("to_agent_id", sa.Integer(), nullable=True),
        sa.Column("to_category_id", sa.Integer(), nullable=True),
        sa.Column("offered_agent_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_transfer_call_id_call"), ondelete="CASCADE"
        ),
        _agent("from_agent_id"),
        _agent("to_agent_id"),
        _agent("offered_agent_id"),
        sa.ForeignKeyConstraint(
            ["to_category_id"],
            ["call_category.id"],
            name=op.f("fk_call_transfer_to_category_id_call_category"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_transfer")),
    )
    op.create_index(
        "uq_call_transfer_ringing_call_id",
        "call_transfer",
        ["call_id"],
        unique=True,
        sqlite_where=RINGING,
        postgresql_where=RINGING,
    )
    op.create_index(
        "ix_call_transfer_ringing_expires_at",
        "call_transfer",
        ["expires_at"],
        sqlite_where=RINGING,
        postgresql_where=RINGING,
    )
    op.create_index(
        "ix_call_transfer_call_id_created_at", "call_transfer", ["call_id", "created_at"]
    )
    op.create_index(
        "ix_call_transfer_from_agent_id_answered_at",
        "call_transfer",
        ["from_agent_id", "answered_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_call_transfer_from_agent_id_answered_at", table_name="call_transfer")
    op.drop_index("ix_call_transfer_call_id_created_at", table_name="call_transfer")
    op.drop_index("ix_call_transfer_ringing_expires_at", table_name="call_transfer")
    op.drop_index("uq_call_transfer_ringing_call_id", table_name="call_transfer")
    op.drop_table("call_transfer")
