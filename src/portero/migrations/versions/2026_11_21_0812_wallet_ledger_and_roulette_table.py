"""wallet ledger and roulette table

Revision ID: e93a95363242
Revises: fce52d0e6911
Create Date: 2026-11-21 08:12:19.040892
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "e93a95363242"
down_revision: str | None = "fce52d0e6911"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roulette_seat",
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("server_seed", sa.String(length=64), nullable=False),
        sa.Column("server_seed_hash", sa.String(length=64), nullable=False),
        sa.Column("client_seed", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.Integer(), nullable=False),
        sa.Column("updated_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_roulette_seat_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", name=op.f("pk_roulette_seat")),
    )
    op.create_table(
        "wallet_account",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_wallet_account_balance_not_negative")),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_wallet_account_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_account")),
        sa.UniqueConstraint(
            "player_id", "currency", name=op.f("uq_wallet_account_player_id_currency")
        ),
    )
    op.create_table(
        "roulette_round",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("launch_id", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bets", sa.JSON(), nullable=False),
        sa.Column("total_stake", sa.BigInteger(), nullable=False),
        sa.Column("total_return", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("server_seed", sa.String(length=64), nullable=False),
        sa.Column("server_seed_hash", sa.String(length=64), nullable=False),
        sa.Column("client_seed", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.Integer(), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["launch_id"],
            ["launch.id"],
            name=op.f("fk_roulette_round_launch_id_launch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_roulette_round_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roulette_round")),
        sa.UniqueConstraint(
            "player_id", "request_id", name=op.f("uq_roulette_round_player_id_request_id")
        ),
    )
    with op.batch_alter_table("roulette_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roulette_round_launch_id"), ["launch_id"], unique=False
        )
        batch_op.create_index(
            "ix_roulette_round_player_id_created_at", ["player_id", "created_at"], unique=False
        )

    op.create_table(
        "wallet_entry",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wallet_account.id"],
            name=op.f("fk_wallet_entry_account_id_wallet_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_entry")),
        sa.UniqueConstraint(
            "account_id",
            "reference",
            "kind",
            name=op.f("uq_wallet_entry_account_id_reference_kind"),
        ),
    )
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("currency_terms", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("currency_terms")

    op.drop_table("wallet_entry")
    with op.batch_alter_table("roulette_round", schema=None) as batch_op:
        batch_op.drop_index("ix_roulette_round_player_id_created_at")
        batch_op.drop_index(batch_op.f("ix_roulette_round_launch_id"))

    op.drop_table("roulette_round")
    op.drop_table("wallet_account")
    op.drop_table("roulette_seat")
