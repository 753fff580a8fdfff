"""the play session that owns a call

Revision ID: 3f9c1e27a4b0
Revises: 857854d668b6
Create Date: 2026-12-01 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f9c1e27a4b0"
down_revision: str | None = "857854d668b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for calls made before calls had owners: anyone holding their link may rejoin them,
    # as before; every new call is owned by the play session that started it.
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("play_session_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.drop_column("play_session_id")
