"""initial schema

Revision ID: d8e8d059b9e7
Revises:
Create Date: 2026-11-21 05:59:00.954177
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "d8e8d059b9e7"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "disabled", name="partnerstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("configured_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("default_language", sa.String(length=2), nullable=False),
        sa.Column("default_currency", sa.String(length=3), nullable=False),
        sa.Column("launch_ttl_seconds", sa.Integer(), nullable=False),
        sa.Column("session_idle_seconds", sa.Integer(), nullable=False),
        sa.Column("frame_ancestors", sa.JSON(), nullable=False),
        sa.Column("return_url", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
    )
    op.create_table(
        "partner_token",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hint", sa.String(length=20), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_partner_token_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_token_token_hash")),
    )
    with op.batch_alter_table("partner_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_token_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "player",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("nickname", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("cellphone", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_player_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player")),
        sa.UniqueConstraint(
            "partner_id", "external_id", name=op.f("uq_player_partner_id_external_id")
        ),
    )
    op.create_table(
        "launch",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("request_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("token_shape", sa.String(length=16), nullable=False),
        sa.Column("token_nonce", sa.LargeBinary(length=16), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("return_url", sa.String(length=2000), nullable=True),
        sa.Column("session_idle_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_launch_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_launch_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launch")),
        sa.UniqueConstraint(
            "partner_id",
            "source",
            "request_key",
            name=op.f("uq_launch_partner_id_source_request_key"),
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_launch_token_hash")),
    )
    with op.batch_alter_table("launch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_launch_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index("ix_launch_partner_id_id", ["partner_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_launch_player_id"), ["player_id"], unique=False)

    op.create_table(
        "play_session",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("launch_id", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("idle_seconds", sa.Integer(), nullable=False),
        sa.Column("client_ip", sa.String(length=45), nullable=True),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("idle_expires_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", portero.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["launch_id"],
            ["launch.id"],
            name=op.f("fk_play_session_launch_id_launch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_session")),
        sa.UniqueConstraint("launch_id", name=op.f("uq_play_session_launch_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_play_session_token_hash")),
    )
    with op.batch_alter_table("play_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_play_session_idle_expires_at"), ["idle_expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("play_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_play_session_idle_expires_at"))

    op.drop_table("play_session")
    with op.batch_alter_table("launch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_launch_player_id"))
        batch_op.drop_index("ix_launch_partner_id_id")
        batch_op.drop_index(batch_op.f("ix_launch_expires_at"))

    op.drop_table("launch")
    op.drop_table("player")
    with op.batch_alter_table("partner_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_token_partner_id"))

    op.drop_table("partner_token")
    op.drop_table("partner")
