"""A partner's seamless wallet as the round path calls it: the endpoint from the partner's
configuration, its auth token unsealed (kit/sealing.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.sealing import UnreadableSecret, unseal
from portero.partners import repository as partners
from portero.settings import Settings
from portero.wallet.onewallet.client import Endpoint

log = logging.getLogger("portero.wallet")
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
    if not (row.wallet_url and row.wallet_token_sealed):
        return PartnerWallet(mode=row.wallet_mode, endpoint=None)
    try:
        token = unseal(settings.signing_key, TOKEN_PURPOSE, row.wallet_token_sealed)
    except UnreadableSecret:
        # The deployment's key changed: the partner's wallet cannot be called until its token
        # is set again. Rounds are refused before anything is recorded; calls owed wait.
        log.error("partner %s: its wallet's auth token cannot be read; set it again", partner_id)
        return PartnerWallet(mode=row.wallet_mode, endpoint=None)
    endpoint = Endpoint(
        partner_id=partner_id,
        base_url=row.wallet_url,
        auth_token=token,
        timeout_seconds=row.wallet_timeout_seconds or settings.wallet_timeout_seconds,
    )
    return PartnerWallet(mode=row.wallet_mode, endpoint=endpoint)
