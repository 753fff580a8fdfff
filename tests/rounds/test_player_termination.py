"""A seamless round in flight when its player is terminated (`POST /v1/players/{id}/terminate`)
still settles: none of its later steps, inline or by the delivery engine, needs a live play
session. The steps are run by hand (rounds/seamless.py), the termination between them."""

from __future__ import annotations

import secrets
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit.db import session_scope
from portero.launches import opening
from portero.launches.opening import PlayContext
from portero.rounds import seamless
from portero.rounds.models import RoundStatus
from portero.slots.games import catalogue
from portero.slots.rounds import SlotSpin
from portero.slots.schemas import SpinIn
from tests.rounds.conftest import TIMEOUT, round_of, run_engine, sit
from tests.support.factories import PartnerFixture
from tests.support.sandbox import RunningSandbox

LEASE_OVER = TIMEOUT + 0.5 + 0.5
BET = 200


async def a_spin(
    runtime: Runtime, client: httpx.AsyncClient, partner: PartnerFixture
) -> tuple[dict[str, str], str, PlayContext, SlotSpin]:
    auth, player = await sit(client, partner)
    token = auth["Authorization"].removeprefix("Bearer ")
    async with session_scope(runtime.sessions) as session:
        context = await opening.resume(session, token=token)
    game = catalogue.game("monaco-nights")
    assert game is not None
    request = SpinIn(spin_id=uuid.uuid4().hex, bet=BET)
    return auth, player, context, SlotSpin(context, game, request, secrets.randbelow)


async def kick(client: httpx.AsyncClient, partner: PartnerFixture, player: str) -> None:
    response = await client.post(f"/v1/players/{player}/terminate", headers=partner.auth)
    assert response.status_code == 200, response.text
    assert response.json()["sessions_ended"] == 1


def movements(sandbox: RunningSandbox, round_id: str) -> list[tuple[str, str]]:
    return [
        (t["kind"], t["state"])
        for t in sandbox.wallet.snapshot()["transactions"]
        if t["round"] == round_id
    ]


async def test_a_round_recorded_before_the_termination_is_drawn_and_paid(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, player, context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert not isinstance(step, seamless.PlayedRound)
    await kick(client, partner, player)  # between the bet's record and its debit
    debit = await seamless.send_debit(runtime, step)
    credit = await seamless.after_debit(runtime, context, game, step, debit)
    played = await seamless.after_credit(
        runtime, credit, await seamless.send_credit(runtime, credit)
    )
    assert played.round.status == RoundStatus.settled
    assert played.round.outcome is not None
    assert movements(sandbox, played.round.id) == [("debit", "applied"), ("credit", "applied")]
    ended = await client.get("/play/api/slots/game", headers=auth)
    assert ended.json()["error"]["code"] == "session_terminated"


async def test_the_engine_pays_a_win_whose_player_was_terminated(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _auth, player, context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert not isinstance(step, seamless.PlayedRound)
    credit = await seamless.after_debit(
        runtime, context, game, step, await seamless.send_debit(runtime, step)
    )
    await kick(client, partner, player)
    # The request dies before sending the credit: the engine takes it once the lease ends.
    assert await run_engine(runtime, after_seconds=LEASE_OVER) >= 1
    played = await round_of(sessions, credit.round_id)
    assert played.status == RoundStatus.settled
    assert movements(sandbox, played.id) == [("debit", "applied"), ("credit", "applied")]
