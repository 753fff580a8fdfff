"""Tenant scoping: every read of a partner's rows goes through kit/tenancy.py, and the guard that
every test application runs with refuses one that does not."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.calls.models import CALL, CallAgent
from portero.kit.db import session_scope
from portero.kit.tenancy import UnscopedQuery, across_partners, for_partner, partner_owned_tables
from portero.launches.models import Launch
from portero.players import repository as players
from portero.players.models import Player
from portero.wallet.models import WalletAccount
from tests.support.factories import create_launch, launch_body, make_partner


def test_the_partner_owned_tables_are_those_with_a_partner_id() -> None:
    assert partner_owned_tables() == {
        "launch",
        "player",
        "call",
        "call_agent",
        "call_callback",
        "call_category",
        "partner_token",
        "game_round",
        "wallet_transfer",
        "delivery",
        "webhook_endpoint",
        "webhook_event",
    }


async def test_an_unscoped_read_of_a_partner_table_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    partner = await make_partner(sessions)
    for unscoped in (select(Launch), select(CALL.c.id), select(Player.id).join(Launch)):
        with pytest.raises(UnscopedQuery, match="neither filters by partner"):
            async with session_scope(sessions) as session:
                await session.execute(unscoped)
    async with session_scope(sessions) as session:
        await session.execute(for_partner(select(Launch), Launch, partner.id))
        await session.execute(for_partner(select(CALL.c.id), CALL, partner.id))
        await session.execute(across_partners(select(CallAgent.id)))
        # Tables that are not the partner's (a player's wallet, by its owner's key) and writes
        # are not the guard's business.
        await session.execute(select(WalletAccount.id))
        await session.execute(update(Launch).where(Launch.id == "lnch_none").values(status="x"))


async def test_for_partner_returns_only_that_partners_rows(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    mine, theirs = await make_partner(sessions), await make_partner(sessions)
    for partner in (mine, theirs):
        body = launch_body("roulette")
        body["player"]["id"] = "same-id"
        await create_launch(client, partner, body)
    async with session_scope(sessions) as session:
        found = (await session.execute(for_partner(select(Launch), Launch, mine.id))).scalars()
        assert {launch.partner_id for launch in found} == {mine.id}
        player = await players.get_by_external_id(
            session, partner_id=theirs.id, external_id="same-id"
        )
        assert player is not None
        assert player.partner_id == theirs.id
