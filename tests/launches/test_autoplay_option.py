"""The `autoplay` option of a launch's `responsible_gaming` on both databases: a boolean,
offered by default; false is kept with the launch's limits, shown by the API and handed to the
slot page with the session's limits; left offered, nothing is kept (the session stays one
without limits)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.db import session_scope
from portero.launches.limits import ResponsibleGaming, SessionLimits
from portero.launches.schemas import LaunchCreate
from portero.launches.service import request_fingerprint
from portero.partners import service as partners
from portero.partners.schemas import PartnerConfigUpdate
from tests.support.factories import PartnerFixture, launch_body, make_partner, open_link


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def launch(client: httpx.AsyncClient, partner: PartnerFixture, limits: Any) -> httpx.Response:
    body = launch_body("slot", responsible_gaming=limits)
    return await client.post("/v1/launches", json=body, headers=partner.auth)


def test_only_autoplay_off_is_kept() -> None:
    assert ResponsibleGaming(autoplay=False).stored() == {"autoplay": False}
    assert ResponsibleGaming(autoplay=True).stored() is None
    assert ResponsibleGaming(max_stake=5).stored() == {"max_stake": 5}
    off = SessionLimits.stored({"autoplay": False})
    assert off is not None
    assert (off.autoplay, off.max_stake) == (False, None)
    kept_before = SessionLimits.stored({"max_stake": 5})  # a launch from before the option
    assert kept_before is not None
    assert kept_before.autoplay is True


async def test_autoplay_off_is_stored_shown_and_handed_to_the_page(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    created = await launch(client, partner, {"autoplay": False, "max_stake": 500})
    assert created.status_code == 201, created.text
    shown = created.json()["responsible_gaming"]
    assert (shown["autoplay"], shown["max_stake"]) == (False, 500)
    again = await client.get(f"/v1/launches/{created.json()['id']}", headers=partner.auth)
    assert again.json()["responsible_gaming"]["autoplay"] is False
    auth = await open_link(client, created.json())
    session = (await client.get("/play/api/session", headers=auth)).json()
    assert session["responsible_gaming"]["limits"]["autoplay"] is False
    table = (await client.get("/play/api/slots/game", headers=auth)).json()
    assert table["autoplay"] is False
    assert table["responsible_gaming"]["limits"]["max_stake"] == 500


async def test_autoplay_off_alone_is_a_session_the_page_learns_it_from(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    created = await launch(client, partner, {"autoplay": False})
    assert created.json()["responsible_gaming"] == {
        "session_time_limit_seconds": None,
        "reality_check_seconds": None,
        "max_stake": None,
        "loss_limit": None,
        "autoplay": False,
    }
    auth = await open_link(client, created.json())
    table = (await client.get("/play/api/slots/game", headers=auth)).json()
    assert table["autoplay"] is False
    # Nothing bounds its rounds: no figures (they would count nothing), no check, no limit.
    assert table["responsible_gaming"] is None
    session = (await client.get("/play/api/session", headers=auth)).json()
    assert session["responsible_gaming"] is None
    spin = {"spin_id": "ap-1", "bet": 200}
    played = await client.post("/play/api/slots/spins", json=spin, headers=auth)
    assert played.is_success
    assert played.json()["responsible_gaming"] is None


async def test_a_partner_may_take_autoplay_off_for_every_launch_whatever_its_api(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    """`partner configure --no-autoplay`: native launches that say nothing of it and seed
    001's, which cannot say it, play without autoplay; turning it on again offers it."""
    partner = await make_partner(sessions, autoplay=False)
    native = await open_link(client, (await launch(client, partner, None)).json())
    table = (await client.get("/play/api/slots/game", headers=native)).json()
    assert (table["autoplay"], table["responsible_gaming"]) == (False, None)
    request = {
        "uuid": str(uuid.uuid4()),
        "gametype": "slot",
        "gameid": "monaco-nights",
        "player": {"id": "lm-ap", "nickname": "lm", "language": "es", "currency": "EUR",
                   "session": {"id": "s-ap", "ip": "203.0.113.7"}},
    }  # fmt: skip
    answer = await client.post(
        f"/api/session?MEMB_ID={partner.id}&HASH={partner.token}", json=request
    )
    assert answer.status_code == 200, answer.text
    seed_001 = await open_link(client, {"url": answer.json()["url"]})
    assert (await client.get("/play/api/slots/game", headers=seed_001)).json()["autoplay"] is False
    async with session_scope(sessions) as session:
        update = PartnerConfigUpdate(autoplay=True)
        await partners.configure(session, partner_id=partner.id, update=update)
    assert (await client.get("/play/api/slots/game", headers=native)).json()["autoplay"] is True


async def test_autoplay_left_offered_keeps_nothing(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    created = await launch(client, partner, {"autoplay": True})
    assert created.status_code == 201, created.text
    assert created.json()["responsible_gaming"] is None
    auth = await open_link(client, created.json())
    session = (await client.get("/play/api/session", headers=auth)).json()
    assert session["responsible_gaming"] is None
    table = (await client.get("/play/api/slots/game", headers=auth)).json()
    assert table["autoplay"] is True  # the page offers autoplay


@pytest.mark.parametrize("value", ["false", 0, 1, None, "no", [False]])
async def test_autoplay_must_be_a_boolean(
    client: httpx.AsyncClient, partner: PartnerFixture, value: Any
) -> None:
    response = await launch(client, partner, {"autoplay": value})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", "responsible_gaming.autoplay")


def test_autoplay_alone_bounds_no_round() -> None:
    """The round path plays such a session on its fast path (rounds/pg_ledger.py `usable`,
    rounds/limits.py `limited`): autoplay is the page's alone."""
    off = SessionLimits.stored({"autoplay": False})
    assert off is not None
    assert not off.bound_rounds
    for limit in ("session_time_limit_seconds", "reality_check_seconds", "max_stake"):
        limited = SessionLimits.stored({"autoplay": False, limit: 600})
        assert limited is not None
        assert limited.bound_rounds


# The fingerprint of FINGERPRINTED as the release before the option computed it.
FINGERPRINTED: dict[str, Any] = {
    "product": "slot",
    "params": {"game_id": "monaco-nights"},
    "player": {"id": "fp-1", "nickname": "estarly93", "language": "es", "currency": "EUR"},
    "responsible_gaming": {"loss_limit": 1000},
}
BEFORE_THE_OPTION = "c342dfdf01171fd1ba234090f67381f958d25f85e1650a8b147407d23ab079dd"


def test_limits_fingerprint_as_before_the_option_unless_autoplay_is_off() -> None:
    """An Idempotency-Key retry across the upgrade replays: the default adds nothing."""
    request = LaunchCreate.model_validate(FINGERPRINTED)
    params = FINGERPRINTED["params"]
    assert request_fingerprint(request, params).hex() == BEFORE_THE_OPTION
    limits = FINGERPRINTED["responsible_gaming"] | {"autoplay": False}
    off = LaunchCreate.model_validate(FINGERPRINTED | {"responsible_gaming": limits})
    assert request_fingerprint(off, params).hex() != BEFORE_THE_OPTION
