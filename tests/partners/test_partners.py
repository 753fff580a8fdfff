"""Partner accounts, tokens, configuration, and the authentication cache's bound."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.kit.secrets import hash_token
from portero.partners import service
from portero.partners.auth import PartnerAuthenticator, require_launchable
from portero.partners.errors import (
    AuthenticationFailed,
    PartnerDisabled,
    PartnerNotConfigured,
    PartnerTokenNotFound,
    ProductNotAllowed,
)
from portero.partners.models import PartnerStatus, PartnerToken
from portero.partners.schemas import PartnerConfigUpdate
from tests.support.db import inspecting
from tests.support.factories import make_partner, snapshot


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestTokens:
    async def test_only_a_hash_is_stored(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        partner = await make_partner(sessions)
        async with session_scope(sessions) as session:
            rows = (await session.execute(text("SELECT * FROM partner_token"))).all()
        dumped = repr(rows)
        assert partner.token not in dumped
        assert partner.token[4:] not in dumped
        async with inspecting(sessions) as session:
            stored = await session.get(PartnerToken, partner.token_id)
        assert stored is not None
        assert stored.token_hash == hash_token(partner.token)

    async def test_tokens_have_256_random_bits(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        assert partner.token.startswith("prt_")
        assert len(partner.token) == 4 + 43

    async def test_rotation_without_downtime(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        auth = PartnerAuthenticator(sessions, ttl_seconds=0)
        async with session_scope(sessions) as session:
            _new, new_raw = await service.add_token(session, partner_id=partner.id)
        assert (await auth.authenticate(partner.token)).id == partner.id
        assert (await auth.authenticate(new_raw)).id == partner.id
        async with session_scope(sessions) as session:
            await service.revoke_token(session, partner_id=partner.id, token_id=partner.token_id)
        with pytest.raises(AuthenticationFailed):
            await auth.authenticate(partner.token)
        assert (await auth.authenticate(new_raw)).id == partner.id

    async def test_cannot_revoke_another_partners_token(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        alice = await make_partner(sessions)
        bob = await make_partner(sessions)
        with pytest.raises(PartnerTokenNotFound):
            async with session_scope(sessions) as session:
                await service.revoke_token(session, partner_id=bob.id, token_id=alice.token_id)


class TestAuthentication:
    async def test_partner_id_must_match_the_token(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        alice = await make_partner(sessions)
        bob = await make_partner(sessions)
        auth = PartnerAuthenticator(sessions, ttl_seconds=0)
        assert (await auth.authenticate(alice.token, partner_id=alice.id)).id == alice.id
        with pytest.raises(AuthenticationFailed):
            await auth.authenticate(alice.token, partner_id=bob.id)

    async def test_disabled_partner(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        partner = await make_partner(sessions)
        async with session_scope(sessions) as session:
            await service.set_status(session, partner_id=partner.id, status=PartnerStatus.disabled)
        with pytest.raises(PartnerDisabled):
            await PartnerAuthenticator(sessions, ttl_seconds=0).authenticate(partner.token)

    async def test_changes_take_effect_within_the_cache_bound(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        clock = FakeClock()
        auth = PartnerAuthenticator(sessions, ttl_seconds=5, clock=clock)
        await auth.authenticate(partner.token)
        async with session_scope(sessions) as session:
            await service.set_status(session, partner_id=partner.id, status=PartnerStatus.disabled)
        clock.now += 4.9
        assert (await auth.authenticate(partner.token)).id == partner.id  # still cached
        clock.now += 0.2
        with pytest.raises(PartnerDisabled):
            await auth.authenticate(partner.token)

    async def test_unknown_tokens_are_cached_too(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        clock = FakeClock()
        auth = PartnerAuthenticator(sessions, ttl_seconds=5, clock=clock)
        with pytest.raises(AuthenticationFailed):
            await auth.authenticate("prt_unknown")
        assert hash_token("prt_unknown") in auth._cache


class TestConfiguration:
    async def test_new_partners_are_unconfigured_until_products_are_chosen(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions, configured=False)
        with pytest.raises(PartnerNotConfigured):
            require_launchable(await snapshot(sessions, partner.id), "roulette")
        async with session_scope(sessions) as session:
            await service.configure(
                session,
                partner_id=partner.id,
                update=PartnerConfigUpdate(default_language="es"),
            )
        with pytest.raises(PartnerNotConfigured):
            require_launchable(await snapshot(sessions, partner.id), "roulette")
        async with session_scope(sessions) as session:
            await service.configure(
                session,
                partner_id=partner.id,
                update=PartnerConfigUpdate.model_validate({"products": ["slot"]}),
            )
        configured = await snapshot(sessions, partner.id)
        require_launchable(configured, "slot")
        with pytest.raises(ProductNotAllowed):
            require_launchable(configured, "roulette")
        assert configured.default_language == "es"

    @pytest.mark.parametrize(
        "config",
        [
            {"products": []},
            {"products": ["poker"]},
            {"default_language": "xx"},
            {"default_currency": "XXY"},
            {"launch_ttl_seconds": 1},
            {"session_idle_seconds": 10},
            {"frame_ancestors": ["https://ok.example; script-src *"]},
            {"frame_ancestors": ["casino.example"]},
            {"return_url": "ftp://x"},
            {"colour": "red"},
        ],
    )
    def test_invalid_configuration_is_refused(self, config: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            PartnerConfigUpdate.model_validate(config)

    def test_origins_are_normalised(self) -> None:
        update = PartnerConfigUpdate.model_validate(
            {"frame_ancestors": ["https://Casino.Example/", "https://*.partner.example:8443"]}
        )
        assert update.frame_ancestors == [
            "https://casino.example",
            "https://*.partner.example:8443",
        ]

    async def test_token_rows_are_per_partner(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await make_partner(sessions)
        async with inspecting(sessions) as session:
            await service.add_token(session, partner_id=partner.id)
            rows = (
                await session.execute(
                    select(PartnerToken).where(PartnerToken.partner_id == partner.id)
                )
            ).all()
        assert len(rows) == 2
