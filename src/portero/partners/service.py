"""Partner administration (CLI and, later, an admin API). Services flush; callers commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.ids import new_id
from portero.kit.secrets import hash_token, new_partner_token, token_hint
from portero.partners import repository
from portero.partners.errors import PartnerNotFound, PartnerTokenNotFound
from portero.partners.models import Partner, PartnerStatus, PartnerToken
from portero.partners.schemas import (
    PartnerConfigUpdate,
    PartnerTokenView,
    PartnerView,
    PartnerWalletView,
)
from portero.partners.terms import CurrencyTerms, terms_for


async def create_partner(
    session: AsyncSession, *, name: str, is_demo: bool = False
) -> tuple[Partner, PartnerToken, str]:
    """A new, unconfigured partner with one token; the raw token is returned only here."""
    partner = Partner(
        name=name.strip(),
        status=PartnerStatus.active,
        created_at=utcnow(),
        is_demo=is_demo,
        products=[],
        frame_ancestors=[],
    )
    session.add(partner)
    await session.flush()
    token, raw = await add_token(session, partner_id=partner.id)
    return partner, token, raw


async def require_partner(session: AsyncSession, partner_id: int) -> Partner:
    partner = await repository.get(session, partner_id)
    if partner is None:
        raise PartnerNotFound(f"No partner with id {partner_id}.")
    return partner


async def add_token(session: AsyncSession, *, partner_id: int) -> tuple[PartnerToken, str]:
    await require_partner(session, partner_id)
    raw = new_partner_token()
    token = PartnerToken(
        id=new_id("tok"),
        partner_id=partner_id,
        token_hash=hash_token(raw),
        hint=token_hint(raw),
        created_at=utcnow(),
    )
    session.add(token)
    await session.flush()
    return token, raw


async def revoke_token(session: AsyncSession, *, partner_id: int, token_id: str) -> PartnerToken:
    token = await repository.token(session, partner_id=partner_id, token_id=token_id)
    if token is None:
        raise PartnerTokenNotFound(f"Partner {partner_id} has no token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()
    return token


async def set_status(session: AsyncSession, *, partner_id: int, status: PartnerStatus) -> Partner:
    partner = await require_partner(session, partner_id)
    partner.status = status
    await session.flush()
    return partner


async def configure(
    session: AsyncSession, *, partner_id: int, update: PartnerConfigUpdate
) -> Partner:
    """Apply a configuration change; the account counts as configured once it has products."""
    partner = await require_partner(session, partner_id)
    changes = update.model_dump(exclude_unset=True, exclude_none=True)
    if "products" in changes:
        changes["products"] = sorted({str(product) for product in changes["products"]})
    for field, value in changes.items():
        setattr(partner, field, value)
    if partner.products and partner.configured_at is None:
        partner.configured_at = utcnow()
    await session.flush()
    return partner


async def set_currency_terms(
    session: AsyncSession, *, partner_id: int, currency: str, terms: CurrencyTerms | None
) -> Partner:
    """Demo credit and table limits for one currency; None returns it to the defaults."""
    partner = await require_partner(session, partner_id)
    configured = dict(partner.currency_terms or {})
    if terms is None:
        configured.pop(currency, None)
    else:
        configured[currency] = terms.model_dump()
    partner.currency_terms = configured  # a new dict: JSON columns do not track mutation
    await session.flush()
    return partner


async def currency_terms(session: AsyncSession, *, partner_id: int, currency: str) -> CurrencyTerms:
    """The partner's demo credit and table limits in `currency` (the defaults if not set)."""
    return terms_for(await repository.currency_terms(session, partner_id), currency)


async def describe(session: AsyncSession, partner: Partner) -> PartnerView:
    tokens = await repository.tokens_of(session, partner.id)
    return PartnerView(
        id=partner.id,
        name=partner.name,
        status=partner.status,
        created_at=partner.created_at,
        configured=partner.configured_at is not None,
        products=list(partner.products),
        default_language=partner.default_language,
        default_currency=partner.default_currency,
        launch_ttl_seconds=partner.launch_ttl_seconds,
        session_idle_seconds=partner.session_idle_seconds,
        frame_ancestors=list(partner.frame_ancestors),
        return_url=partner.return_url,
        responsible_gaming_url=partner.responsible_gaming_url,
        age_notice=partner.age_notice,
        autoplay=partner.autoplay,
        currency_terms={
            code: CurrencyTerms.model_validate(raw)
            for code, raw in sorted((partner.currency_terms or {}).items())
        },
        wallet=PartnerWalletView(
            mode=partner.wallet_mode,
            url=partner.wallet_url,
            auth_token_hint=partner.wallet_token_hint,
            timeout_seconds=partner.wallet_timeout_seconds,
        ),
        tokens=[
            PartnerTokenView(id=t.id, hint=t.hint, created_at=t.created_at, revoked_at=t.revoked_at)
            for t in tokens
        ],
    )
