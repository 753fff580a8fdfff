"""call transcripts

Revision ID: 9d2f6a1b3c58
Revises: 7a4e2b9c1d36
Create Date: 2026-12-08 04:00:00

The chat of each call, as it was relayed (calls/transcripts.py), removed with the call.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portero.kit.db import UtcDateTime

revision: str = "9d2f6a1b3c58"
down_revision: str | None = "7a4e2b9c1d36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_message_agent_id_call_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_message_call_id_call"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_message")),
    )
    op.create_index("ix_call_message_call_id_id", "call_message", ["call_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_call_message_call_id_id", table_name="call_message")
    op.drop_table("call_message")
