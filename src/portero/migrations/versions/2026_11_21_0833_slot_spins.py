"""slot spins

Revision ID: 58cd5b5853c4
Revises: e93a95363242
Create Date: 2026-11-21 08:33:41.530207
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "58cd5b5853c4"
down_revision: str | None = "e93a95363242"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slot_spin",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("launch_id", sa.String(length=40), nullable=False),
        sa.Column("game_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credit_value", sa.BigInteger(), nullable=False),
        sa.Column("bet", sa.BigInteger(), nullable=False),
        sa.Column("win", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["launch_id"],
            ["launch.id"],
            name=op.f("fk_slot_spin_launch_id_launch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_slot_spin_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_spin")),
        sa.UniqueConstraint(
            "player_id", "request_id", name=op.f("uq_slot_spin_player_id_request_id")
        ),
    )
    with op.batch_alter_table("slot_spin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_spin_launch_id"), ["launch_id"], unique=False)
        batch_op.create_index(
            "ix_slot_spin_player_id_created_at", ["player_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slot_spin", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_spin_player_id_created_at")
        batch_op.drop_index(batch_op.f("ix_slot_spin_launch_id"))

    op.drop_table("slot_spin")
