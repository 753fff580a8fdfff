"""The wallet ledger on both databases: opening credit once, atomic debits, no overdraft."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.partners.terms import CurrencyTerms, default_terms, terms_for
from portero.players.models import Player
from portero.wallet import ledger
from portero.wallet.currency import minor_units, to_major, to_minor
from portero.wallet.errors import InsufficientFunds
from portero.wallet.models import WalletAccount, WalletEntry
from tests.support.factories import make_partner


async def new_player(sessions: async_sessionmaker[AsyncSession]) -> int:
    partner = await make_partner(sessions)
    async with session_scope(sessions) as session:
        player = Player(
            partner_id=partner.id,
            external_id="wallet-" + secrets.token_hex(4),
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(player)
        await session.flush()
        return player.id


async def open_account(
    sessions: async_sessionmaker[AsyncSession], player_id: int, credit: int = 1_000
) -> int:
    async def opening_credit() -> int:
        return credit

    async with session_scope(sessions) as session:
        account = await ledger.account(
            session,
            player_id=player_id,
            currency="EUR",
            mode="demo",
            opening_credit=opening_credit,
        )
        return account.id


async def entries(sessions: async_sessionmaker[AsyncSession], account_id: int) -> list[WalletEntry]:
    async with session_scope(sessions) as session:
        rows = await session.scalars(
            select(WalletEntry).where(WalletEntry.account_id == account_id).order_by(WalletEntry.id)
        )
        return list(rows.all())


async def balance(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    async with session_scope(sessions) as session:
        account = await session.get(WalletAccount, account_id)
        assert account is not None
        return account.balance


async def settle(
    sessions: async_sessionmaker[AsyncSession],
    account_id: int,
    stake: int,
    payout: int,
    reference: str,
) -> ledger.Settlement:
    async with session_scope(sessions) as session:
        return await ledger.settle(
            session,
            account_id=account_id,
            stake=stake,
            payout=payout,
            reference=reference,
            now=utcnow(),
        )


async def test_the_opening_credit_is_granted_once_even_to_racing_first_requests(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    player = await new_player(sessions)
    ids = await asyncio.gather(*(open_account(sessions, player) for _ in range(4)))
    assert len(set(ids)) == 1
    assert await balance(sessions, ids[0]) == 1_000
    assert [(e.kind, e.amount) for e in await entries(sessions, ids[0])] == [
        ("opening_credit", 1_000)
    ]


async def test_a_settlement_writes_stake_and_win_entries(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = await open_account(sessions, await new_player(sessions))
    settled = await settle(sessions, account, 300, 1_000, "game:r1")
    assert settled.balance == 1_700
    lost = await settle(sessions, account, 200, 0, "game:r2")
    assert lost.balance == 1_500
    rows = [
        (e.kind, e.amount, e.balance_after, e.reference) for e in await entries(sessions, account)
    ]
    assert rows == [
        ("opening_credit", 1_000, 1_000, "opening_credit"),
        ("stake", -300, 700, "game:r1"),
        ("win", 1_000, 1_700, "game:r1"),
        ("stake", -200, 1_500, "game:r2"),
    ]


async def test_a_stake_beyond_the_balance_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = await open_account(sessions, await new_player(sessions))
    with pytest.raises(InsufficientFunds):
        await settle(sessions, account, 1_001, 5_000, "game:big")
    assert await balance(sessions, account) == 1_000
    assert len(await entries(sessions, account)) == 1
    assert (await settle(sessions, account, 1_000, 0, "game:all-in")).balance == 0


async def test_one_reference_is_settled_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    account = await open_account(sessions, await new_player(sessions))
    await settle(sessions, account, 100, 0, "game:once")
    with pytest.raises(IntegrityError):
        await settle(sessions, account, 100, 0, "game:once")
    assert await balance(sessions, account) == 900  # the failed retry rolled back entirely


async def test_negative_amounts_are_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    account = await open_account(sessions, await new_player(sessions))
    with pytest.raises(ValueError, match="never negative"):
        await settle(sessions, account, -100, 0, "game:neg")
    with pytest.raises(ValueError, match="never negative"):
        await settle(sessions, account, 0, -100, "game:neg")
    assert await balance(sessions, account) == 1_000


async def test_concurrent_settlements_cannot_overdraw(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Five rounds, each staking 300 of a 1,000 balance, settle at once on separate
    connections: three succeed, two are refused, and the balance ends at exactly 100."""
    account = await open_account(sessions, await new_player(sessions))

    async def attempt(index: int) -> bool:
        try:
            await settle(sessions, account, 300, 0, f"game:c{index}")
        except InsufficientFunds:
            return False
        return True

    outcomes = await asyncio.gather(*(attempt(i) for i in range(5)))
    assert sorted(outcomes) == [False, False, True, True, True]
    assert await balance(sessions, account) == 100
    assert sum(e.amount for e in await entries(sessions, account)) == 100


async def test_the_database_itself_refuses_a_negative_balance(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = await open_account(sessions, await new_player(sessions))
    with pytest.raises(IntegrityError):
        async with session_scope(sessions) as session:
            await session.execute(
                update(WalletAccount).where(WalletAccount.id == account).values(balance=-1)
            )
    assert await balance(sessions, account) == 1_000


@pytest.mark.parametrize(
    ("currency", "units", "amount", "minor"),
    [
        ("EUR", 2, "12.50", 1250),
        ("JPY", 0, "500", 500),
        ("KRW", 0, "1000", 1000),
        ("BHD", 3, "1.234", 1234),
        ("USD", 2, "0.01", 1),
    ],
)
def test_minor_units_follow_iso_4217(currency: str, units: int, amount: str, minor: int) -> None:
    assert minor_units(currency) == units
    assert to_minor(amount, currency) == minor
    assert to_major(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(("amount", "currency"), [("0.5", "JPY"), ("1.001", "EUR"), ("x", "EUR")])
def test_amounts_finer_than_the_minor_unit_are_refused(amount: str, currency: str) -> None:
    with pytest.raises(ValueError, match=r"minor unit|not a number"):
        to_minor(amount, currency)


def test_terms_default_per_currency_and_reject_inverted_limits() -> None:
    assert default_terms("EUR") == CurrencyTerms(demo_credit=100_000, min_bet=100, max_bet=50_000)
    # A currency worth far less than the euro plays on figures of the same order: 1,000 yen
    # would be four spins.
    assert default_terms("JPY") == CurrencyTerms(demo_credit=100_000, min_bet=100, max_bet=50_000)
    assert default_terms("KRW").demo_credit == 1_000_000
    assert default_terms("BHD") == CurrencyTerms(
        demo_credit=1_000_000, min_bet=1_000, max_bet=500_000
    )  # three decimals: 1,000.000 BHD
    configured = {"EUR": {"demo_credit": 5, "min_bet": 1, "max_bet": 2}}
    assert terms_for(configured, "EUR").demo_credit == 5
    assert terms_for(configured, "USD") == default_terms("USD")
    with pytest.raises(ValueError, match="min_bet must not exceed max_bet"):
        CurrencyTerms(demo_credit=0, min_bet=10, max_bet=5)
