"""call files

Revision ID: 6b3d9f2e8a41
Revises: 4e8c1a7d2b90
Create Date: 2026-12-08 06:00:00

Files sent in a call's chat (calls/files.py): what each is, and the chat message that sent it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portero.kit.db import UtcDateTime

revision: str = "6b3d9f2e8a41"
down_revision: str | None = "4e8c1a7d2b90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_file",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_file_agent_id_call_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_file_call_id_call"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_file")),
    )
    op.create_index("ix_call_file_call_id", "call_file", ["call_id"])
    with op.batch_alter_table("call_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_call_message_file_id_call_file"),
            "call_file",
            ["file_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("call_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_call_message_file_id_call_file"), type_="foreignkey"
        )
        batch_op.drop_column("file_id")
    op.drop_index("ix_call_file_call_id", table_name="call_file")
    op.drop_table("call_file")
