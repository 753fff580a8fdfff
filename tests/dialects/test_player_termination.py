"""`POST /v1/players/{id}/terminate` ("kick player") on both databases: every live play
session of the player ends and every unopened link is revoked at once; other players and
other partners are untouched; the pages learn why at their next request."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
)


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def test_every_live_session_ends_and_every_unopened_link_is_revoked(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    slot = launch_body("slot")
    player = slot["player"]["id"]
    roulette = launch_body("roulette", player=slot["player"])
    call = launch_body("call", player=slot["player"])
    slot_auth = await open_link(client, await create_launch(client, partner, slot))
    roulette_auth = await open_link(client, await create_launch(client, partner, roulette))
    call_launch = await create_launch(client, partner, call)
    call_auth = await open_link(client, call_launch)
    unopened = [await create_launch(client, partner, launch_body("slot", player=slot["player"]))]
    unopened.append(await create_launch(client, partner, launch_body(player=slot["player"])))
    other = launch_body("slot")  # another player of the same partner
    other_auth = await open_link(client, await create_launch(client, partner, other))

    response = await client.post(f"/v1/players/{player}/terminate", headers=partner.auth)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "object": "player_termination",
        "player_id": player,
        "sessions_ended": 3,
        "launches_revoked": 2,
    }
    for auth in (slot_auth, roulette_auth, call_auth):
        ended = await client.get("/play/api/session", headers=auth)
        assert ended.status_code == 401
        assert ended.json()["error"]["code"] == "session_terminated"
    # The roulette table's own API answers an ended session in seed 000's body, as always.
    table = await client.get("/play/api/roulette/table", headers=roulette_auth)
    assert (table.status_code, table.json()["code_error"]) == (401, "511")
    for launch in unopened:
        shown = (await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)).json()
        assert shown["status"] == "revoked"
        page = await client.get(launch["url"], headers={"Accept": "application/json"})
        assert page.json()["error"]["code"] == "launch_revoked"
    shown = (await client.get(f"/v1/launches/{call_launch['id']}", headers=partner.auth)).json()
    assert shown["status"] == "ended"  # an opened call link does not open again
    assert (await client.get("/play/api/session", headers=other_auth)).status_code == 200

    again = await client.post(f"/v1/players/{player}/terminate", headers=partner.auth)
    assert (again.json()["sessions_ended"], again.json()["launches_revoked"]) == (0, 0)
    # The player may be launched again afterwards.
    fresh = await open_link(
        client, await create_launch(client, partner, launch_body("slot", player=slot["player"]))
    )
    assert (await client.get("/play/api/session", headers=fresh)).status_code == 200


async def test_another_partners_player_is_not_found_and_untouched(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    body = launch_body("slot")
    auth = await open_link(client, await create_launch(client, partner, body))
    stranger = await make_partner(sessions)
    response = await client.post(
        f"/v1/players/{body['player']['id']}/terminate", headers=stranger.auth
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    assert (await client.get("/play/api/session", headers=auth)).status_code == 200
    unknown = await client.post("/v1/players/nobody-here/terminate", headers=partner.auth)
    assert unknown.status_code == 404
    anonymous = await client.post(f"/v1/players/{body['player']['id']}/terminate")
    assert anonymous.status_code == 401


async def test_a_seed_001_player_is_terminated_through_the_native_api(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    session_request = {
        "uuid": "5f0c2b1e-6a4d-4e8f-9a51-2f7d3c9b8e10",
        "gametype": "slot",
        "gameid": "monaco-nights",
        "player": {
            "id": "lm-238",
            "nickname": "estarly93",
            "language": "ja",
            "currency": "JPY",
            "session": {"id": "partner-session-1", "ip": "203.0.113.7"},
        },
    }
    token = partner.token
    created = await client.post(
        f"/api/session?MEMB_ID={partner.id}&HASH={token}", json=session_request
    )
    assert created.status_code == 200, created.text
    location = (await client.get(created.json()["url"])).headers["location"]
    auth = {"Authorization": "Bearer " + location.split("#session=", 1)[1]}
    response = await client.post("/v1/players/lm-238/terminate", headers=partner.auth)
    assert response.json()["sessions_ended"] == 1
    ended = await client.get("/play/api/slots/game", headers=auth)
    assert ended.json()["error"]["code"] == "session_terminated"
