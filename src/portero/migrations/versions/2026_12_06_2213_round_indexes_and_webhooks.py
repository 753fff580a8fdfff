"""round indexes and webhooks

Revision ID: 1d2706437ab2
Revises: b031158d6b50
Create Date: 2026-12-06 22:13:12.264989

Indexes for the partners' round lists, reports and the retention purge; webhook endpoints and
events; a delivery's target (the webhook endpoint it goes to).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "1d2706437ab2"
down_revision: str | None = "b031158d6b50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("enabled_events", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("previous_secret", sa.LargeBinary(), nullable=True),
        sa.Column(
            "previous_secret_expires_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("failing_since", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_webhook_endpoint_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_endpoint_partner_id_status", ["partner_id", "status"], unique=False
        )

    op.create_table(
        "webhook_event",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_webhook_event_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event")),
    )
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_event_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_webhook_event_partner_id_created_at", ["partner_id", "created_at"], unique=False
        )

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_id", sa.String(length=40), nullable=True))
        batch_op.create_index(
            "ix_delivery_target_id_id",
            ["target_id", "id"],
            unique=False,
            postgresql_where=sa.text("target_id IS NOT NULL"),
            sqlite_where=sa.text("target_id IS NOT NULL"),
        )

    with op.batch_alter_table("game_round", schema=None) as batch_op:
        batch_op.create_index("ix_game_round_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_game_round_partner_id_created_at_id",
            ["partner_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_game_round_partner_id_game_id_created_at_id",
            ["partner_id", "game_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_game_round_player_id_created_at_id", ["player_id", "created_at", "id"], unique=False
        )

    with op.batch_alter_table("wallet_entry", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_entry_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wallet_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_entry_created_at")

    with op.batch_alter_table("game_round", schema=None) as batch_op:
        batch_op.drop_index("ix_game_round_player_id_created_at_id")
        batch_op.drop_index("ix_game_round_partner_id_game_id_created_at_id")
        batch_op.drop_index("ix_game_round_partner_id_created_at_id")
        batch_op.drop_index("ix_game_round_created_at")

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_delivery_target_id_id",
            postgresql_where=sa.text("target_id IS NOT NULL"),
            sqlite_where=sa.text("target_id IS NOT NULL"),
        )
        batch_op.drop_column("target_id")

    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_event_partner_id_created_at")
        batch_op.drop_index("ix_webhook_event_created_at")

    op.drop_table("webhook_event")
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_endpoint_partner_id_status")

    op.drop_table("webhook_endpoint")
