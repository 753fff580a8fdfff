"""The wallet ledger: balances move only here, each movement written as an entry.

Every function runs inside the caller's transaction, so a game round and its money commit or
roll back together. A debit is one conditional UPDATE (`balance >= stake`), which is atomic on
every backend: two rounds settling at once can never take the balance below zero.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.db import dialect_insert
from portero.wallet.currency import to_major
from portero.wallet.errors import InsufficientFunds
from portero.wallet.models import WalletAccount, WalletEntry

OPENING_CREDIT = "opening_credit"
STAKE = "stake"
WIN = "win"
DEPOSIT = "deposit"
WITHDRAWAL = "withdrawal"


@dataclass(frozen=True, slots=True)
class Settlement:
    balance: int
    stake: int
    payout: int


async def account(
    session: AsyncSession,
    *,
    player_id: int,
    currency: str,
    mode: str,
    opening_credit: Callable[[], Awaitable[int]],
    lock: bool = False,
) -> WalletAccount:
    """The player's account in `currency` for the wallet `mode` (demo or transfer); `lock`
    holds its row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL), serialising
    the player's rounds and transfers.

    An existing account (the common case) is one statement. On first use the account is
    created with `await opening_credit()` (a demo credit; nothing for real money); two first
    requests racing: ON CONFLICT lets exactly one create it (and its credit entry), the other
    finds it.
    """
    found = await find_account(
        session, player_id=player_id, currency=currency, mode=mode, lock=lock
    )
    if found is not None:
        return found
    credit = await opening_credit()
    now = utcnow()
    created = await session.execute(
        dialect_insert(session)(WalletAccount)
        .values(
            player_id=player_id,
            currency=currency,
            mode=mode,
            balance=credit,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["player_id", "currency", "mode"])
        .returning(WalletAccount.id)
    )
    account_id = created.scalar_one_or_none()
    if account_id is not None and credit:
        session.add(
            WalletEntry(
                account_id=account_id,
                kind=OPENING_CREDIT,
                amount=credit,
                balance_after=credit,
                reference=OPENING_CREDIT,
                created_at=now,
            )
        )
    found = await find_account(
        session, player_id=player_id, currency=currency, mode=mode, lock=lock
    )
    assert found is not None  # created above, or by the request we raced with
    return found


async def find_account(
    session: AsyncSession, *, player_id: int, currency: str, mode: str, lock: bool = False
) -> WalletAccount | None:
    query = (
        select(WalletAccount)
        .where(
            WalletAccount.player_id == player_id,
            WalletAccount.currency == currency,
            WalletAccount.mode == mode,
        )
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
        raise await _insufficient(session, account_id, stake)
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


async def move(
    session: AsyncSession, *, account_id: int, amount: int, kind: str, reference: str, now: datetime
) -> int | None:
    """Add `amount` (negative: take it) to the account as one entry under `reference`; the
    new balance, or None (and nothing changed) when taking it would overdraw the account."""
    balance = (
        await session.execute(
            update(WalletAccount)
            .where(WalletAccount.id == account_id, WalletAccount.balance + amount >= 0)
            .values(balance=WalletAccount.balance + amount, updated_at=now)
            .returning(WalletAccount.balance)
        )
    ).scalar_one_or_none()
    if balance is None:
        return None
    session.add(
        WalletEntry(
            account_id=account_id,
            kind=kind,
            amount=amount,
            balance_after=balance,
            reference=reference,
            created_at=now,
        )
    )
    await session.flush()
    return int(balance)


async def balances(session: AsyncSession, *, player_id: int, mode: str) -> list[WalletAccount]:
    """The player's accounts of one mode, by currency."""
    query = (
        select(WalletAccount)
        .where(WalletAccount.player_id == player_id, WalletAccount.mode == mode)
        .order_by(WalletAccount.currency)
    )
    return list((await session.scalars(query)).all())


async def _insufficient(session: AsyncSession, account_id: int, stake: int) -> InsufficientFunds:
    """The refusal, with both amounts (read only when refusing)."""
    row = (
        await session.execute(
            select(WalletAccount.balance, WalletAccount.currency).where(
                WalletAccount.id == account_id
            )
        )
    ).one()
    currency = row.currency
    return InsufficientFunds(
        f"The stake is {to_major(stake, currency)} {currency}; the balance is "
        f"{to_major(row.balance, currency)} {currency}."
    )


async def purge_round_entries(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Remove up to `limit` of the rounds' entries (stakes, wins) made before `before`, oldest
    first (the retention purge); balances stay, and so do deposits and withdrawals."""
    ids = (
        select(WalletEntry.id)
        .where(WalletEntry.created_at < before, WalletEntry.kind.in_([STAKE, WIN]))
        .order_by(WalletEntry.created_at)
        .limit(limit)
    )
    found = list((await session.scalars(ids)).all())
    if found:
        await session.execute(delete(WalletEntry).where(WalletEntry.id.in_(found)))
    return len(found)


async def count_round_entries(session: AsyncSession, *, before: datetime) -> int:
    query = select(func.count()).where(
        WalletEntry.created_at < before, WalletEntry.kind.in_([STAKE, WIN])
    )
    return int(await session.scalar(query) or 0)
