"""responsible gaming

Revision ID: 6c1f0a9d3e52
Revises: 1d2706437ab2
Create Date: 2026-12-07 09:30:00

A launch's responsible-gaming limits; on its play session, the running net loss, the next
reality check and why a limit or the partner ended it; the partner's responsible-gaming page
and age notice, shown on the game pages.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "6c1f0a9d3e52"
down_revision: str | None = "1d2706437ab2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("launch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limits", sa.JSON(none_as_null=True), nullable=True))

    with op.batch_alter_table("play_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("net_loss", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "reality_check_due_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("end_reason", sa.String(length=16), nullable=True))

    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("responsible_gaming_url", sa.String(length=2000), nullable=True)
        )
        batch_op.add_column(sa.Column("age_notice", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("age_notice")
        batch_op.drop_column("responsible_gaming_url")

    with op.batch_alter_table("play_session", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
        batch_op.drop_column("reality_check_due_at")
        batch_op.drop_column("net_loss")

    with op.batch_alter_table("launch", schema=None) as batch_op:
        batch_op.drop_column("limits")
