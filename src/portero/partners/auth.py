"""Partner authentication with a short-lived in-process cache.

The launch path must not pay a database round trip for the caller's identity on every request.
Each process remembers a token's owner (or that the token is unknown) for `auth_cache_seconds`,
so disabling a partner, changing its configuration or revoking a token takes effect on every
process within that bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.secrets import hash_token
from portero.partners import repository
from portero.partners.errors import (
    AuthenticationFailed,
    PartnerDisabled,
    PartnerNotConfigured,
    ProductNotAllowed,
)
from portero.partners.models import PartnerStatus
from portero.partners.schemas import PartnerSnapshot
from portero.products.registry import product_spec

_MAX_ENTRIES = 10_000


class PartnerAuthenticator:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: OrderedDict[bytes, tuple[float, PartnerSnapshot | None]] = OrderedDict()
        self._by_id: dict[int, tuple[float, PartnerSnapshot | None]] = {}

    async def authenticate(
        self, token: str | None, *, partner_id: int | None = None
    ) -> PartnerSnapshot:
        """The active partner owning `token` (and, if given, having id `partner_id`)."""
        if not token:
            raise AuthenticationFailed("No partner token was given.")
        partner = await self._lookup(hash_token(token))
        if partner is None or (partner_id is not None and partner.id != partner_id):
            raise AuthenticationFailed()
        if partner.status is not PartnerStatus.active:
            raise PartnerDisabled()
        return partner

    def forget(self) -> None:
        self._cache.clear()
        self._by_id.clear()

    async def partner(self, partner_id: int) -> PartnerSnapshot | None:
        """The partner as this process saw it at most `ttl_seconds` ago (opening a link asks
        on every open: a dictionary lookup, not a query, on the hot path)."""
        now = self._clock()
        cached = self._by_id.get(partner_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        async with self._sessions() as session:
            partner = await repository.get(session, partner_id)
            snapshot = PartnerSnapshot.of(partner) if partner is not None else None
        if len(self._by_id) >= _MAX_ENTRIES:
            self._by_id.clear()
        self._by_id[partner_id] = (now, snapshot)
        return snapshot

    async def _lookup(self, token_hash: bytes) -> PartnerSnapshot | None:
        now = self._clock()
        cached = self._cache.get(token_hash)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        async with self._sessions() as session:
            partner = await repository.partner_by_token_hash(session, token_hash)
            snapshot = PartnerSnapshot.of(partner) if partner is not None else None
        self._cache[token_hash] = (now, snapshot)
        self._cache.move_to_end(token_hash)
        while len(self._cache) > _MAX_ENTRIES:
            self._cache.popitem(last=False)
        return snapshot


def may_offer(*, status: str, products: Iterable[str], product: str) -> bool:
    """Whether a partner in this state may still offer `product` to its players: the test that
    links being opened, play sessions and live sockets pass (docs/security.md, "Revocation")."""
    return status == PartnerStatus.active.value and product_spec(product).entitlement.value in set(
        products
    )


def require_launchable(partner: PartnerSnapshot, product: str) -> None:
    if not partner.configured:
        raise PartnerNotConfigured()
    entitlement = product_spec(product).entitlement.value
    if entitlement not in partner.products:
        needs = f" (it comes with the {entitlement} product)" if entitlement != product else ""
        raise ProductNotAllowed(f"This partner account may not launch '{product}'{needs}.")
