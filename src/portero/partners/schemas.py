from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from portero.kit.validation import Currency, Displayable, HttpUrl, Language, Origin
from portero.partners.models import Partner, PartnerStatus
from portero.partners.terms import CurrencyTerms
from portero.products.registry import ProductName


def _https(url: str) -> str:
    if not url.lower().startswith("https://"):
        raise ValueError("must be an https:// URL")
    return url


HttpsUrl = Annotated[HttpUrl, AfterValidator(_https)]
# Shown on every game page beside the link to the partner's responsible-gaming page.
AgeNotice = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32), Displayable
]


class PartnerConfigUpdate(BaseModel):
    """What `partner configure` may change; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    products: list[ProductName] | None = Field(default=None, min_length=1)
    default_language: Language | None = None
    default_currency: Currency | None = None
    launch_ttl_seconds: int | None = Field(default=None, ge=10, le=7 * 24 * 3600)
    session_idle_seconds: int | None = Field(default=None, ge=60, le=24 * 3600)
    frame_ancestors: list[Origin] | None = None
    return_url: HttpUrl | None = None
    responsible_gaming_url: HttpsUrl | None = None
    age_notice: AgeNotice | None = None
    autoplay: bool | None = None


@dataclass(frozen=True, slots=True)
class PartnerSnapshot:
    """What the launch path needs to know about the caller, cached for a few seconds."""

    id: int
    name: str
    status: PartnerStatus
    configured: bool
    products: frozenset[str]
    default_language: str
    default_currency: str
    launch_ttl_seconds: int
    session_idle_seconds: int
    frame_ancestors: tuple[str, ...]
    return_url: str | None

    @classmethod
    def of(cls, partner: Partner) -> PartnerSnapshot:
        return cls(
            id=partner.id,
            name=partner.name,
            status=partner.status,
            configured=partner.configured_at is not None,
            products=frozenset(partner.products or ()),
            default_language=partner.default_language,
            default_currency=partner.default_currency,
            launch_ttl_seconds=partner.launch_ttl_seconds,
            session_idle_seconds=partner.session_idle_seconds,
            frame_ancestors=tuple(partner.frame_ancestors or ()),
            return_url=partner.return_url,
        )


class PartnerTokenView(BaseModel):
    id: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None


class PartnerWalletView(BaseModel):
    """The wallet the partner's games settle with; the auth token shows only by its hint."""

    mode: str
    url: str | None
    auth_token_hint: str | None
    timeout_seconds: float | None = Field(description="None: the deployment's default.")


class PartnerView(BaseModel):
    id: int
    name: str
    status: PartnerStatus
    created_at: datetime
    configured: bool
    products: list[str]
    default_language: str
    default_currency: str
    launch_ttl_seconds: int
    session_idle_seconds: int
    frame_ancestors: list[str]
    return_url: str | None
    responsible_gaming_url: str | None = None
    age_notice: str | None = None
    autoplay: bool = Field(default=True, description="Whether its slot pages offer autoplay.")
    currency_terms: dict[str, CurrencyTerms] = Field(
        default_factory=dict, description="Per currency; others play on the defaults."
    )
    wallet: PartnerWalletView
    tokens: list[PartnerTokenView] = Field(default_factory=list)
