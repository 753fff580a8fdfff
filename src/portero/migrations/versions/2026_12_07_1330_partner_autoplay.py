"""partner autoplay

Revision ID: 3b7e9c2a4f10
Revises: ed48f88dcba4
Create Date: 2026-12-07 13:30:00

Whether a partner's slot pages may offer autoplay (on for every existing partner).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7e9c2a4f10"
down_revision: str | None = "ed48f88dcba4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("autoplay", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("autoplay")
