"""call categories and agents

Revision ID: fce52d0e6911
Revises: d8e8d059b9e7
Create Date: 2026-11-21 07:44:57.877160
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "fce52d0e6911"
down_revision: str | None = "d8e8d059b9e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_agent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_call_agent_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_agent")),
        sa.UniqueConstraint("partner_id", "code", name=op.f("uq_call_agent_partner_id_code")),
    )
    op.create_table(
        "call_category",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", portero.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_call_category_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_category")),
        sa.UniqueConstraint("partner_id", "code", name=op.f("uq_call_category_partner_id_code")),
    )
    op.create_table(
        "call_agent_category",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["call_agent.id"],
            name=op.f("fk_call_agent_category_agent_id_call_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["call_category.id"],
            name=op.f("fk_call_agent_category_category_id_call_category"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "category_id", name=op.f("pk_call_agent_category")),
    )


def downgrade() -> None:
    op.drop_table("call_agent_category")
    op.drop_table("call_category")
    op.drop_table("call_agent")
