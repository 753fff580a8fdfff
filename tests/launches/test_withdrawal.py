"""A partner disabled, or one that lost a product, stops its players: links no longer open (and
open again once the cause is gone, nothing consumed), and every play API request is refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.launches.models import Launch, LaunchStatus, PlaySession
from portero.partners import service as partners
from portero.partners.auth import PartnerAuthenticator
from portero.partners.models import PartnerStatus
from portero.partners.schemas import PartnerConfigUpdate
from tests.support.db import inspecting
from tests.support.factories import PartnerFixture, create_launch, launch_body, make_partner

Change = Callable[[AsyncSession, int], Awaitable[object]]


async def disable(session: AsyncSession, partner_id: int) -> object:
    return await partners.set_status(session, partner_id=partner_id, status=PartnerStatus.disabled)


async def enable(session: AsyncSession, partner_id: int) -> object:
    return await partners.set_status(session, partner_id=partner_id, status=PartnerStatus.active)


async def withdraw_roulette(session: AsyncSession, partner_id: int) -> object:
    update = PartnerConfigUpdate(products=["slot"])
    return await partners.configure(session, partner_id=partner_id, update=update)


async def restore_roulette(session: AsyncSession, partner_id: int) -> object:
    update = PartnerConfigUpdate(products=["roulette", "slot"])
    return await partners.configure(session, partner_id=partner_id, update=update)


CAUSES = {
    "disabled partner": (disable, enable),
    "withdrawn product": (withdraw_roulette, restore_roulette),
}


async def change(
    sessions: async_sessionmaker[AsyncSession], partner: PartnerFixture, what: Change
) -> None:
    async with session_scope(sessions) as session:
        await what(session, partner.id)


@pytest.mark.parametrize("cause", CAUSES)
async def test_a_link_does_not_open_and_opens_again_once_the_cause_is_gone(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, cause: str
) -> None:
    act, undo = CAUSES[cause]
    partner = await make_partner(sessions, products=["roulette", "slot"])
    launch = await create_launch(client, partner, launch_body("roulette"))
    await change(sessions, partner, act)
    refused = await client.get(launch["url"], headers={"Accept": "text/html"})
    assert refused.status_code == 410
    assert refused.headers["Portero-Link-Status"] == "launch_withdrawn"
    assert "no está disponible" in refused.text  # the player's language (es), a way back
    async with inspecting(sessions) as session:
        row = (await session.execute(select(Launch).where(Launch.id == launch["id"]))).scalar_one()
        opened = await session.execute(
            select(PlaySession.id).where(PlaySession.launch_id == launch["id"])
        )
        assert (row.status, row.opened_at, opened.all()) == (LaunchStatus.issued, None, [])
    await change(sessions, partner, undo)
    assert (await client.get(launch["url"])).status_code == 303


@pytest.mark.parametrize("cause", CAUSES)
async def test_every_play_request_is_refused_while_the_cause_lasts(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, cause: str
) -> None:
    act, undo = CAUSES[cause]
    partner = await make_partner(sessions, products=["roulette", "slot"])
    launch = await create_launch(client, partner, launch_body("roulette"))
    location = (await client.get(launch["url"])).headers["location"]
    bearer = {"Authorization": "Bearer " + location.split("#session=", 1)[1]}
    assert (await client.get("/play/api/session", headers=bearer)).status_code == 200
    await change(sessions, partner, act)
    for path in ("/play/api/session", "/play/api/roulette/table"):
        refused = await client.get(path, headers=bearer)
        assert refused.status_code == 401, path
    body = (await client.get("/play/api/session", headers=bearer)).json()
    assert body["error"]["code"] == "session_expired"  # the page shows its ended state
    await change(sessions, partner, undo)
    assert (await client.get("/play/api/session", headers=bearer)).status_code == 200


async def test_link_opening_sees_a_partner_change_within_the_cache_bound(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Opening asks the in-process copy of the partner, at most `auth_cache_seconds` old."""
    partner = await make_partner(sessions, products=["roulette"])
    now = [100.0]
    authenticator = PartnerAuthenticator(sessions, ttl_seconds=5.0, clock=lambda: now[0])
    seen = await authenticator.partner(partner.id)
    assert seen is not None
    assert seen.status is PartnerStatus.active
    await change(sessions, partner, disable)
    now[0] += 4.9
    still = await authenticator.partner(partner.id)
    assert still is not None
    assert still.status is PartnerStatus.active
    now[0] += 0.1
    fresh = await authenticator.partner(partner.id)
    assert fresh is not None
    assert fresh.status is PartnerStatus.disabled
