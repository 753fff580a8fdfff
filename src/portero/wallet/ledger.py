"""The wallet ledger: balances move only here, each movement written as an entry.

Every function runs inside the caller's transaction, so a game round and its money commit or
roll back together. A debit is one conditional UPDATE (`balance >= stake`), which is atomic on
every backend: two rounds settling at once can never take the balance below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import dialect_insert
from portero.wallet.errors import InsufficientFunds
from portero.wallet.models import WalletAccount, WalletEntry

OPENING_CREDIT = "opening_credit"
STAKE = "stake"
WIN = "win"


@dataclass(frozen=True, slots=True)
class Settlement:
    balance: int
    stake: int
    payout: int


async def open_account(
    session: AsyncSession, *, player_id: int, currency: str, opening_credit: int, now: datetime
) -> WalletAccount:
    """The player's account in `currency`, created with its opening credit on first use.

    Two first requests racing: ON CONFLICT lets exactly one create the account (and its
    credit entry); the other finds it.
    """
    insert = dialect_insert(session)
    created = await session.execute(
        insert(WalletAccount)
        .values(
            player_id=player_id,
            currency=currency,
            balance=opening_credit,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["player_id", "currency"])
        .returning(WalletAccount.id)
    )
    account_id = created.scalar_one_or_none()
    if account_id is not None:
        session.add(
            WalletEntry(
                account_id=account_id,
                kind=OPENING_CREDIT,
                amount=opening_credit,
                balance_after=opening_credit,
                reference=OPENING_CREDIT,
                created_at=now,
            )
        )
    account = await find_account(session, player_id=player_id, currency=currency)
    assert account is not None  # created above, or by the request we raced with
    return account


async def find_account(
    session: AsyncSession, *, player_id: int, currency: str, lock: bool = False
) -> WalletAccount | None:
    """`lock`: SELECT … FOR UPDATE (PostgreSQL), serialising the player's rounds."""
    query = (
        select(WalletAccount)
        .where(WalletAccount.player_id == player_id, WalletAccount.currency == currency)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def settle(
    session: AsyncSession,
    *,
    account_id: int,
    stake: int,
    payout: int,
    reference: str,
    now: datetime,
) -> Settlement:
    """Take `stake` and pay `payout` for one round, as two entries under `reference`.

    Raises InsufficientFunds (and changes nothing) when the balance does not cover the stake;
    a second settlement under the same reference violates the entries' unique key.
    """
    if stake < 0 or payout < 0:
        raise ValueError("stake and payout are amounts, never negative")
    balance = (
        await session.execute(
            update(WalletAccount)
            .where(WalletAccount.id == account_id, WalletAccount.balance >= stake)
            .values(balance=WalletAccount.balance - stake + payout, updated_at=now)
            .returning(WalletAccount.balance)
        )
    ).scalar_one_or_none()
    if balance is None:
        raise InsufficientFunds()
    entries = [
        WalletEntry(
            account_id=account_id,
            kind=STAKE,
            amount=-stake,
            balance_after=balance - payout,
            reference=reference,
            created_at=now,
        )
    ]
    if payout:
        entries.append(
            WalletEntry(
                account_id=account_id,
                kind=WIN,
                amount=payout,
                balance_after=balance,
                reference=reference,
                created_at=now,
            )
        )
    session.add_all(entries)
    await session.flush()
    return Settlement(balance=balance, stake=stake, payout=payout)
