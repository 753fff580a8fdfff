from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.tenancy import across_partners, for_partner
from portero.partners.models import Partner, PartnerToken


async def get(session: AsyncSession, partner_id: int) -> Partner | None:
    return await session.get(Partner, partner_id)


async def get_for_update(session: AsyncSession, partner_id: int) -> Partner | None:
    result = await session.execute(
        select(Partner).where(Partner.id == partner_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def list_all(session: AsyncSession) -> Sequence[Partner]:
    return (await session.execute(select(Partner).order_by(Partner.id))).scalars().all()


async def find_demo(session: AsyncSession, *, name: str) -> Partner | None:
    """The demo partner of that name (`portero demo` makes one per wallet mode it shows)."""
    query = (
        select(Partner)
        .where(Partner.is_demo.is_(True), Partner.name == name)
        .order_by(Partner.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def tokens_of(session: AsyncSession, partner_id: int) -> Sequence[PartnerToken]:
    query = select(PartnerToken).order_by(PartnerToken.created_at, PartnerToken.id)
    return (await session.execute(for_partner(query, PartnerToken, partner_id))).scalars().all()


async def token(session: AsyncSession, *, partner_id: int, token_id: str) -> PartnerToken | None:
    query = for_partner(
        select(PartnerToken).where(PartnerToken.id == token_id), PartnerToken, partner_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def partner_by_token_hash(session: AsyncSession, token_hash: bytes) -> Partner | None:
    """The partner owning a live (not revoked) token with this hash (across partners: the
    token is what says which partner is calling)."""
    query = (
        select(Partner)
        .join(PartnerToken, PartnerToken.partner_id == Partner.id)
        .where(PartnerToken.token_hash == token_hash, PartnerToken.revoked_at.is_(None))
    )
    return (await session.execute(across_partners(query))).scalar_one_or_none()


async def currency_terms(session: AsyncSession, partner_id: int) -> dict[str, Any] | None:
    """The partner's per-currency terms as stored (JSON), without loading the partner."""
    query = select(Partner.currency_terms).where(Partner.id == partner_id)
    found: dict[str, Any] | None = await session.scalar(query)
    return found


async def wallet_config(session: AsyncSession, partner_id: int, *, share: bool = False) -> Any:
    """The partner's wallet mode and seamless endpoint (a row, or None for no such partner).
    `share` holds the row against a change of mode until the transaction ends (SELECT … FOR
    SHARE on PostgreSQL): a seamless round that starts and a change of mode exclude each
    other (rounds/wallet_modes.py)."""
    query = select(
        Partner.wallet_mode,
        Partner.wallet_url,
        Partner.wallet_token_sealed,
        Partner.wallet_timeout_seconds,
    ).where(Partner.id == partner_id)
    if share:
        query = query.with_for_update(read=True)
    return (await session.execute(query)).one_or_none()
