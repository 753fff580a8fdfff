"""Queries on a transfer partner's deposits and withdrawals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.tenancy import for_partner
from portero.transfers.models import WalletTransfer


async def by_transaction_id(
    session: AsyncSession, *, partner_id: int, transaction_id: str
) -> WalletTransfer | None:
    query = for_partner(
        select(WalletTransfer).where(WalletTransfer.transaction_id == transaction_id),
        WalletTransfer,
        partner_id,
    )
    found: WalletTransfer | None = await session.scalar(query)
    return found


def add(session: AsyncSession, transfer: WalletTransfer) -> None:
    """Written at the caller's next flush."""
    session.add(transfer)
