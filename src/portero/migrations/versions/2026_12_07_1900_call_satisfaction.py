"""call satisfaction

Revision ID: 5c1d8e3f7a92
Revises: 3b7e9c2a4f10
Create Date: 2026-12-07 19:00:00

The customer's rating of a completed call (1-5) and comment, on the call's row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portero.kit.db import UtcDateTime

revision: str = "5c1d8e3f7a92"
down_revision: str | None = "3b7e9c2a4f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("satisfaction_score", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("satisfaction_comment", sa.String(length=1000), nullable=True)
        )
        batch_op.add_column(sa.Column("rated_at", UtcDateTime(), nullable=True))
        batch_op.create_check_constraint(
            "satisfaction_score_one_to_five", "satisfaction_score BETWEEN 1 AND 5"
        )


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_constraint("satisfaction_score_one_to_five", type_="check")
        batch_op.drop_column("rated_at")
        batch_op.drop_column("satisfaction_comment")
        batch_op.drop_column("satisfaction_score")
