"""A partner's seamless wallet as the round path calls it: the endpoint from the partner's
configuration, its auth token unsealed (kit/sealing.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.sealing import unseal
from portero.partners import repository as partners
from portero.settings import Settings
from portero.wallet.onewallet.client import Endpoint

TOKEN_PURPOSE = "wallet auth token"  # noqa: S105 (names a key, is none)


@dataclass(frozen=True, slots=True)
class PartnerWallet:
    mode: str
    endpoint: Endpoint | None  # None unless the partner has a seamless wallet configured


async def partner_wallet(
    session: AsyncSession, partner_id: int, settings: Settings, *, share: bool = False
) -> PartnerWallet:
    row = await partners.wallet_config(session, partner_id, share=share)
    if row is None:
        return PartnerWallet(mode="demo", endpoint=None)
    endpoint = None
    if row.wallet_url and row.wallet_token_sealed:
        endpoint = Endpoint(
            partner_id=partner_id,
            base_url=row.wallet_url,
            auth_token=unseal(settings.signing_key, TOKEN_PURPOSE, row.wallet_token_sealed),
            timeout_seconds=row.wallet_timeout_seconds or settings.wallet_timeout_seconds,
        )
    return PartnerWallet(mode=row.wallet_mode, endpoint=endpoint)
