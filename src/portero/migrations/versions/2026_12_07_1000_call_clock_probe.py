"""call clock probe

Revision ID: ed48f88dcba4
Revises: 6c1f0a9d3e52
Create Date: 2026-12-07 10:00:00

The agents who are not offline, by heartbeat: the call clock's probe reads the oldest one every
second in every process (calls/dispatcher.py), and the clock sets silent consoles offline from
there, without reading the whole directory.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ed48f88dcba4"
down_revision: str | None = "6c1f0a9d3e52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRESENT = "presence <> 'offline'"


def upgrade() -> None:
    with op.batch_alter_table("call_agent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_call_agent_present",
            ["seen_at"],
            unique=False,
            sqlite_where=sa.text(PRESENT),
            postgresql_where=sa.text(PRESENT),
        )


def downgrade() -> None:
    with op.batch_alter_table("call_agent", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_call_agent_present",
            sqlite_where=sa.text(PRESENT),
            postgresql_where=sa.text(PRESENT),
        )
