"""Small typed factories: each test makes its own partners, so tests never share data."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.partners import service as partners
from portero.partners.schemas import PartnerConfigUpdate, PartnerSnapshot
from portero.partners.terms import CurrencyTerms
from portero.products.registry import ProductName
from portero.rounds import wallet_modes
from portero.rounds.wallet_modes import WalletChange
from portero.wallet.modes import WalletMode


@dataclass
class PartnerFixture:
    id: int
    token: str
    token_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_partner(
    sessions: async_sessionmaker[AsyncSession],
    *,
    configured: bool = True,
    products: list[str] | None = None,
    **config: Any,
) -> PartnerFixture:
    async with session_scope(sessions) as session:
        partner, token, raw = await partners.create_partner(
            session, name=f"Partner {secrets.token_hex(3)}"
        )
        if configured:
            update = PartnerConfigUpdate.model_validate(
                {"products": products or [p.value for p in ProductName]} | config
            )
            await partners.configure(session, partner_id=partner.id, update=update)
        return PartnerFixture(id=partner.id, token=raw, token_id=token.id)


async def set_terms(
    sessions: async_sessionmaker[AsyncSession],
    partner: PartnerFixture,
    currency: str,
    *,
    demo_credit: int,
    min_bet: int,
    max_bet: int,
) -> None:
    """The partner's demo credit and table limits in `currency` (minor units)."""
    terms = CurrencyTerms(demo_credit=demo_credit, min_bet=min_bet, max_bet=max_bet)
    async with session_scope(sessions) as session:
        await partners.set_currency_terms(
            session, partner_id=partner.id, currency=currency, terms=terms
        )


async def snapshot(sessions: async_sessionmaker[AsyncSession], partner_id: int) -> PartnerSnapshot:
    async with session_scope(sessions) as session:
        return PartnerSnapshot.of(await partners.require_partner(session, partner_id))


def player_id() -> str:
    return "player-" + secrets.token_hex(4)


def launch_body(product: str = "roulette", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product": product,
        "player": {
            "id": player_id(),
            "nickname": "estarly93",
            "email": "estarly@example.com",
            "language": "es",
            "currency": "EUR",
        },
    }
    if product == "slot":
        body["params"] = {"game_id": "monaco-nights"}
    return body | overrides


async def create_launch(
    client: httpx.AsyncClient, partner: PartnerFixture, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/v1/launches", json=body or launch_body(), headers=partner.auth)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def open_link(client: httpx.AsyncClient, launch: dict[str, Any]) -> dict[str, str]:
    """Open a launch's link as a browser would; the play-session bearer header it yields."""
    location = (await client.get(launch["url"])).headers["location"]
    return {"Authorization": "Bearer " + location.split("#session=", 1)[1]}


async def set_wallet(
    sessions: async_sessionmaker[AsyncSession],
    partner: PartnerFixture,
    mode: str,
    *,
    secret_key: bytes,
    url: str | None = None,
    auth_token: str | None = None,
    timeout_seconds: float | None = None,
) -> None:
    """The partner's wallet mode (and seamless endpoint), as `portero partner wallet` sets it."""
    change = WalletChange(
        mode=WalletMode(mode), url=url, auth_token=auth_token, timeout_seconds=timeout_seconds
    )
    async with session_scope(sessions) as session:
        await wallet_modes.configure(
            session, partner_id=partner.id, change=change, secret_key=secret_key
        )
