"""A partner's wallet mode and seamless endpoint, changed only between rounds.

The change takes the partner's row (FOR UPDATE) before it looks for rounds in flight, and a
seamless round takes the same row (FOR SHARE) while it records its bet: either the round is
recorded first and the change sees it, or the change commits first and the round sees the new
mode. (SQLite runs one writer at a time.)
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.errors import InvalidField
from portero.kit.sealing import seal
from portero.partners import repository as partners
from portero.partners.errors import PartnerNotFound
from portero.partners.models import Partner
from portero.rounds import repository
from portero.rounds.endpoints import TOKEN_PURPOSE
from portero.rounds.errors import WalletModeLocked, WalletNotConfigured
from portero.wallet.modes import WalletMode

MAX_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class WalletChange:
    mode: WalletMode | None = None
    url: str | None = None
    auth_token: str | None = None
    timeout_seconds: float | None = None


def checked_url(url: str) -> str:
    """A wallet's base URL as the HTTP client will use it: http(s), a host, no credentials,
    query or fragment (the methods' names and the auth token are added to it)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError):
        parsed = None
    if (
        parsed is None
        or parsed.scheme not in ("http", "https")
        or not parsed.host
        or parsed.userinfo
        or parsed.query
        or parsed.fragment
    ):
        raise InvalidField("url", "invalid", f"url: {url!r} is not an http(s) base URL")
    return str(parsed).rstrip("/")


def token_hint(token: str) -> str:
    """Enough to tell two tokens apart, never enough to guess one."""
    return "…" + token[-4:] if len(token) >= 16 else "(set)"


async def configure(
    session: AsyncSession, *, partner_id: int, change: WalletChange, secret_key: bytes
) -> Partner:
    partner = await partners.get_for_update(session, partner_id)
    if partner is None:
        raise PartnerNotFound(f"No partner with id {partner_id}.")
    mode = change.mode or WalletMode(partner.wallet_mode)
    if mode != partner.wallet_mode and await repository.has_unsettled_rounds(session, partner_id):
        raise WalletModeLocked()
    if change.timeout_seconds is not None and not 0 < change.timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise InvalidField(
            "timeout",
            "invalid",
            f"the timeout must be over 0 and at most {MAX_TIMEOUT_SECONDS:g} s",
        )
    if change.url is not None:
        partner.wallet_url = checked_url(change.url)
    if change.auth_token is not None:
        partner.wallet_token_sealed = seal(secret_key, TOKEN_PURPOSE, change.auth_token)
        partner.wallet_token_hint = token_hint(change.auth_token)
    if change.timeout_seconds is not None:
        partner.wallet_timeout_seconds = change.timeout_seconds
    if mode == WalletMode.seamless and not (partner.wallet_url and partner.wallet_token_sealed):
        raise WalletNotConfigured()
    partner.wallet_mode = mode
    await session.flush()
    return partner
