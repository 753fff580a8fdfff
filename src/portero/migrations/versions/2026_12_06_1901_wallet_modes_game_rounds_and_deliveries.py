"""wallet modes, game rounds and deliveries

Revision ID: b031158d6b50
Revises: 3f9c1e27a4b0
Create Date: 2026-12-06 19:01:02.186404

The roulette rounds and the slot spins become rows of one `game_round` table (their outcomes
kept whole in `outcome`); partners get a wallet mode, the ledger's accounts say which mode
their money belongs to, and two tables keep the transfers and the calls to partners.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import portero.kit.db

revision: str = "b031158d6b50"
down_revision: str | None = "3f9c1e27a4b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UtcDateTime = portero.kit.db.UtcDateTime
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNSETTLED = sa.text("status NOT IN ('settled', 'cancelled')")
PENDING = sa.text("status = 'pending'")
UNDONE = sa.text("status <> 'done'")
BATCH = 1000

GAME_ROUND = sa.table(
    "game_round",
    *(
        sa.column(name, kind)
        for name, kind in (
            ("id", sa.String),
            ("partner_id", sa.Integer),
            ("player_id", sa.Integer),
            ("launch_id", sa.String),
            ("product", sa.String),
            ("game_id", sa.String),
            ("request_id", sa.String),
            ("request_hash", sa.LargeBinary),
            ("currency", sa.String),
            ("wallet_mode", sa.String),
            ("status", sa.String),
            ("stake", sa.BigInteger),
            ("payout", sa.BigInteger),
            ("balance_after", sa.BigInteger),
            ("outcome", sa.JSON),
            ("created_at", UtcDateTime),
            ("updated_at", UtcDateTime),
            ("settled_at", UtcDateTime),
        )
    ),
)
ROULETTE_ROUND = sa.table(
    "roulette_round",
    *(
        sa.column(name, kind)
        for name, kind in (
            ("id", sa.String),
            ("player_id", sa.Integer),
            ("launch_id", sa.String),
            ("request_id", sa.String),
            ("request_hash", sa.LargeBinary),
            ("currency", sa.String),
            ("bets", sa.JSON),
            ("total_stake", sa.BigInteger),
            ("total_return", sa.BigInteger),
            ("balance_after", sa.BigInteger),
            ("number", sa.Integer),
            ("server_seed", sa.String),
            ("server_seed_hash", sa.String),
            ("client_seed", sa.String),
            ("nonce", sa.Integer),
            ("created_at", UtcDateTime),
        )
    ),
)
SLOT_SPIN = sa.table(
    "slot_spin",
    *(
        sa.column(name, kind)
        for name, kind in (
            ("id", sa.String),
            ("player_id", sa.Integer),
            ("launch_id", sa.String),
            ("game_id", sa.String),
            ("request_id", sa.String),
            ("request_hash", sa.LargeBinary),
            ("currency", sa.String),
            ("credit_value", sa.BigInteger),
            ("bet", sa.BigInteger),
            ("win", sa.BigInteger),
            ("balance_after", sa.BigInteger),
            ("outcome", sa.JSON),
            ("created_at", UtcDateTime),
        )
    ),
)
LAUNCH = sa.table("launch", sa.column("id", sa.String), sa.column("partner_id", sa.Integer))


def upgrade() -> None:
    _partners_and_sessions()
    _ledger_modes()
    _create_transfers()
    _create_deliveries()
    _create_game_round()
    _copy(_roulette_rounds())
    _copy(_slot_spins())
    op.drop_table("roulette_round")
    op.drop_table("slot_spin")


def _partners_and_sessions() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.add_column(
            sa.Column(
                "wallet_mode", sa.String(16), server_default=sa.text("'demo'"), nullable=False
            )
        )
        batch.add_column(sa.Column("wallet_url", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("wallet_token_sealed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("wallet_token_hint", sa.String(20), nullable=True))
        batch.add_column(sa.Column("wallet_timeout_seconds", sa.Float(), nullable=True))
    with op.batch_alter_table("launch") as batch:
        batch.add_column(sa.Column("partner_session_id", sa.String(128), nullable=True))
    with op.batch_alter_table("play_session") as batch:
        batch.add_column(sa.Column("wallet_sid", sa.String(255), nullable=True))


def _ledger_modes() -> None:
    # Every balance so far is play money.
    with op.batch_alter_table("wallet_account") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(16), server_default=sa.text("'demo'"), nullable=False)
        )
        batch.drop_constraint("uq_wallet_account_player_id_currency", type_="unique")
        batch.create_unique_constraint(
            "uq_wallet_account_player_id_currency_mode", ["player_id", "currency", "mode"]
        )


def _create_transfers() -> None:
    op.create_table(
        "wallet_transfer",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "partner_id",
            sa.Integer(),
            sa.ForeignKey("partner.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "player_id",
            sa.Integer(),
            sa.ForeignKey("player.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("transaction_id", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("refusal", sa.String(32), nullable=True),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("partner_id", "transaction_id"),
    )
    op.create_index(
        "ix_wallet_transfer_partner_id_created_at", "wallet_transfer", ["partner_id", "created_at"]
    )


def _create_deliveries() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "partner_id",
            sa.Integer(),
            sa.ForeignKey("partner.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("last_outcome", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", UtcDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("subject_id", "kind"),
    )
    op.create_index(
        "ix_delivery_due",
        "delivery",
        ["next_attempt_at"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index(
        "ix_delivery_kind_status_undone",
        "delivery",
        ["kind", "status"],
        postgresql_where=UNDONE,
        sqlite_where=UNDONE,
    )
    op.create_table(
        "delivery_attempt",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "delivery_id",
            sa.String(40),
            sa.ForeignKey("delivery.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.Column("by", sa.String(16), nullable=False),
    )
    op.create_index("ix_delivery_attempt_delivery_id", "delivery_attempt", ["delivery_id"])


def _create_game_round() -> None:
    op.create_table(
        "game_round",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "partner_id",
            sa.Integer(),
            sa.ForeignKey("partner.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "player_id",
            sa.Integer(),
            sa.ForeignKey("player.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "launch_id",
            sa.String(40),
            sa.ForeignKey("launch.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("product", sa.String(16), nullable=False),
        sa.Column("game_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("wallet_mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stake", sa.BigInteger(), nullable=False),
        sa.Column("payout", sa.BigInteger(), nullable=True),
        sa.Column("balance_after", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.Column("wallet_status", sa.String(32), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", UtcDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("player_id", "request_id"),
    )
    op.create_index("ix_game_round_launch_id", "game_round", ["launch_id"])
    op.create_index(
        "ix_game_round_player_id_game_id_created_at",
        "game_round",
        ["player_id", "game_id", "created_at"],
    )
    op.create_index(
        "ix_game_round_partner_id_unsettled",
        "game_round",
        ["partner_id", "status"],
        postgresql_where=UNSETTLED,
        sqlite_where=UNSETTLED,
    )


def _settled(row: Any, **values: Any) -> dict[str, Any]:
    """The columns every copied round shares: demo money, settled when it was played."""
    return {
        "id": row.id,
        "partner_id": row.partner_id,
        "player_id": row.player_id,
        "launch_id": row.launch_id,
        "request_id": row.request_id,
        "request_hash": row.request_hash,
        "currency": row.currency,
        "wallet_mode": "demo",
        "status": "settled",
        "balance_after": row.balance_after,
        "created_at": row.created_at,
        "updated_at": row.created_at,
        "settled_at": row.created_at,
    } | values


def _roulette_rounds() -> Iterator[dict[str, Any]]:
    query = sa.select(ROULETTE_ROUND, LAUNCH.c.partner_id).join(
        LAUNCH, LAUNCH.c.id == ROULETTE_ROUND.c.launch_id
    )
    for row in _in_batches(query, ROULETTE_ROUND.c.id):
        yield _settled(
            row,
            product="roulette",
            game_id="roulette",
            stake=row.total_stake,
            payout=row.total_return,
            outcome={
                "bets": row.bets,
                "number": row.number,
                "fairness": {
                    "server_seed": row.server_seed,
                    "server_seed_hash": row.server_seed_hash,
                    "client_seed": row.client_seed,
                    "nonce": row.nonce,
                },
            },
        )


def _slot_spins() -> Iterator[dict[str, Any]]:
    query = sa.select(SLOT_SPIN, LAUNCH.c.partner_id).join(
        LAUNCH, LAUNCH.c.id == SLOT_SPIN.c.launch_id
    )
    for row in _in_batches(query, SLOT_SPIN.c.id):
        yield _settled(
            row,
            product="slot",
            game_id=row.game_id,
            stake=row.bet,
            payout=row.win,
            outcome={"credit_value": row.credit_value} | dict(row.outcome),
        )


def _in_batches(query: sa.Select[Any], key: sa.ColumnElement[Any]) -> Iterator[Any]:
    """The rows of `query` a batch at a time, in `key` order (each batch read in full before
    the caller inserts on the same connection)."""
    last: Any = None
    while True:
        page = query.order_by(key).limit(BATCH)
        if last is not None:
            page = page.where(key > last)
        rows = op.get_bind().execute(page).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1].id


def _copy(rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            op.get_bind().execute(sa.insert(GAME_ROUND), batch)
            batch = []
    if batch:
        op.get_bind().execute(sa.insert(GAME_ROUND), batch)


def downgrade() -> None:
    raise NotImplementedError(
        "the rounds of every game now share one table, and seamless rounds have no place in "
        "the tables before it: restore a backup taken before upgrading instead"
    )
