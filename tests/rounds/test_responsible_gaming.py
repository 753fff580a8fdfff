"""Responsible-gaming limits set at launch, enforced by the round path on both databases: the
largest stake, the loss limit (the round that would pass it refused, the session ended once it
is reached), the session time limit (the play session's expiry) and the reality check (rounds
refused while one is due, until the player acknowledges it). The slot's reels are fixed where
a test needs a known result (a spin's default draw replaced)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches import opening
from portero.launches.models import PlaySession
from portero.launches.opening import PlayContext
from portero.rounds import service as round_path
from portero.rounds.errors import LossLimitReached
from portero.rounds.models import RoundStatus
from portero.slots import service as slots
from portero.slots.games import catalogue, engine
from portero.slots.rounds import SlotSpin
from portero.slots.schemas import SpinIn
from tests.rounds.conftest import TIMEOUT, round_of, rounds_of_launch, run_engine
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    set_wallet,
)
from tests.support.sandbox import RunningSandbox

GAME = "/play/api/slots/game"
SPINS = "/play/api/slots/spins"
TABLE = "/play/api/roulette/table"
CHECK = "/play/api/reality-check"
BET = 100  # monaco-nights in EUR: a credit value of 5
LEASE_OVER = TIMEOUT + 0.5 + 0.5  # past a claim's lease (tests/rounds/conftest.py)


def reels(stop: int) -> Any:
    """A draw that stops every reel at `stop`: 0 pays nothing, 2 pays 12 credits (60 at a bet
    of 100), 21 pays 22 (110)."""
    return lambda n: stop % n


def pays(stop: int) -> int:
    game = catalogue.game("monaco-nights")
    assert game is not None
    return engine.play(game, reels(stop)).credits * (BET // game.bet_multiplier)


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)  # play money: the ledger's round path


@pytest.fixture
def fixed_reels(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Choose where every later spin of the slot stops (the service's default draw)."""

    def fix(stop: int) -> None:
        monkeypatch.setattr(slots.spin, "__defaults__", (reels(stop),))

    return fix


async def launched(
    client: httpx.AsyncClient, partner: PartnerFixture, product: str = "slot", **limits: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """A launch with these limits, opened: the launch and its play session's header."""
    launch = await create_launch(client, partner, launch_body(product, responsible_gaming=limits))
    location = (await client.get(launch["url"])).headers["location"]
    return launch, {"Authorization": "Bearer " + location.split("#session=", 1)[1]}


async def spin(client: httpx.AsyncClient, auth: dict[str, str], bet: int = BET) -> httpx.Response:
    return await client.post(SPINS, json={"spin_id": uuid.uuid4().hex, "bet": bet}, headers=auth)


async def play_session(sessions: async_sessionmaker[AsyncSession], launch_id: str) -> PlaySession:
    async with inspecting(sessions) as session:
        query = select(PlaySession).where(PlaySession.launch_id == launch_id)
        return (await session.execute(query)).scalar_one()


async def shift_session(
    sessions: async_sessionmaker[AsyncSession], launch_id: str, **values: object
) -> None:
    async with inspecting(sessions) as session:
        await session.execute(
            update(PlaySession).where(PlaySession.launch_id == launch_id).values(**values)
        )


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_a_stake_over_the_limit_is_refused_and_nothing_is_played(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    _launch, auth = await launched(client, partner, max_stake=BET)
    balance = (await client.get(GAME, headers=auth)).json()["balance"]
    refused = await spin(client, auth, bet=2 * BET)
    assert refused.status_code == 400, refused.text
    assert error_code(refused) == "stake_over_limit"
    assert "1.00 EUR per round" in refused.json()["error"]["message"]
    assert (await client.get(GAME, headers=auth)).json()["balance"] == balance
    assert (await spin(client, auth, bet=BET)).status_code == 200


async def test_the_roulette_counts_the_whole_stake_of_a_spin(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    _launch, auth = await launched(client, partner, "roulette", max_stake=150)
    table = (await client.get(TABLE, headers=auth)).json()
    assert table["responsible_gaming"]["limits"]["max_stake"] == 150
    bets = [{"type": "red", "amount": 100}, {"type": "black", "amount": 100}]
    body = {"round_id": uuid.uuid4().hex, "bets": bets}
    refused = await client.post("/play/api/roulette/spins", json=body, headers=auth)
    assert refused.status_code == 400, refused.text
    assert error_code(refused) == "stake_over_limit"
    body = {"round_id": uuid.uuid4().hex, "bets": bets[:1]}
    assert (await client.post("/play/api/roulette/spins", json=body, headers=auth)).is_success


async def test_the_round_that_could_pass_the_loss_limit_is_refused(
    client: httpx.AsyncClient, partner: PartnerFixture, fixed_reels: Any
) -> None:
    fixed_reels(0)  # every spin loses its bet
    _launch, auth = await launched(client, partner, loss_limit=250)
    for expected_loss in (BET, 2 * BET):
        played = await spin(client, auth)
        assert played.status_code == 200, played.text
        figures = played.json()["responsible_gaming"]
        assert (figures["net_result"], figures["loss_remaining"]) == (
            -expected_loss,
            250 - expected_loss,
        )
        assert figures["loss_limit_reached"] is False
    refused = await spin(client, auth)  # 200 lost + 100 at stake > 250
    assert refused.status_code == 409, refused.text
    assert error_code(refused) == "loss_limit_reached"
    assert "0.50 EUR left" in refused.json()["error"]["message"]
    # The session goes on: a smaller bet still fits.
    assert (await client.get(GAME, headers=auth)).status_code == 200
    assert (await spin(client, auth, bet=40)).status_code == 200


async def test_the_session_ends_when_the_loss_reaches_the_limit(
    client: httpx.AsyncClient, partner: PartnerFixture, fixed_reels: Any
) -> None:
    fixed_reels(0)
    launch, auth = await launched(client, partner, loss_limit=2 * BET)
    assert not (await spin(client, auth)).json()["responsible_gaming"]["loss_limit_reached"]
    ended = await spin(client, auth)  # exactly at the limit: played, and the session ends
    assert ended.status_code == 200, ended.text
    figures = ended.json()["responsible_gaming"]
    assert (figures["net_result"], figures["loss_limit_reached"]) == (-2 * BET, True)
    after = await client.get(GAME, headers=auth)
    assert after.status_code == 401
    assert error_code(after) == "session_loss_limit_reached"
    session_answer = await client.get("/play/api/session", headers=auth)
    assert error_code(session_answer) == "session_loss_limit_reached"
    shown = (await client.get(f"/v1/launches/{launch['id']}", headers=partner.auth)).json()
    assert shown["status"] == "ended"
    assert shown["responsible_gaming"]["loss_limit"] == 2 * BET


async def test_a_partial_loss_counts_stake_minus_return(
    client: httpx.AsyncClient, partner: PartnerFixture, fixed_reels: Any
) -> None:
    fixed_reels(2)  # each spin pays 60 of its 100
    loss = BET - pays(2)
    _launch, auth = await launched(client, partner, loss_limit=150)
    for spins in (1, 2):
        figures = (await spin(client, auth)).json()["responsible_gaming"]
        assert figures["net_result"] == -spins * loss
    refused = await spin(client, auth)  # 80 lost + 100 at stake > 150
    assert error_code(refused) == "loss_limit_reached"


async def test_a_win_lowers_the_net_loss(
    client: httpx.AsyncClient, partner: PartnerFixture, fixed_reels: Any
) -> None:
    fixed_reels(21)  # pays 110 for 100
    _launch, auth = await launched(client, partner, loss_limit=BET)
    figures = (await spin(client, auth)).json()["responsible_gaming"]
    assert figures["net_result"] == pays(21) - BET > 0
    # The limit is on the session's net loss: what was won may be lost again first.
    assert figures["loss_remaining"] == BET + figures["net_result"]
    fixed_reels(0)
    assert (await spin(client, auth)).status_code == 200  # -10 + 100 ≤ 100


async def test_the_session_time_limit_caps_the_expiry(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    launch, auth = await launched(client, partner, session_time_limit_seconds=600)
    row = await play_session(sessions, launch["id"])
    assert row.expires_at == row.created_at + timedelta(seconds=600)
    assert row.idle_expires_at <= row.expires_at
    answer = (await client.get("/play/api/session", headers=auth)).json()
    assert answer["responsible_gaming"]["session_ends_at"] == answer["expires_at"]
    # Later than the limit: the session is over, and says why.
    started = utcnow() - timedelta(seconds=601)
    ends = started + timedelta(seconds=600)
    await shift_session(
        sessions, launch["id"], created_at=started, expires_at=ends, idle_expires_at=ends
    )
    after = await spin(client, auth)
    assert after.status_code == 401
    assert error_code(after) == "session_time_limit_reached"


async def test_without_a_time_limit_the_service_lifetime_stands(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    launch, auth = await launched(client, partner, max_stake=BET)
    row = await play_session(sessions, launch["id"])
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.reality_check_due_at is None
    figures = (await client.get(GAME, headers=auth)).json()["responsible_gaming"]
    assert figures["reality_check_due_in_seconds"] is None
    # A session without limits shows none and counts nothing.
    plain = await create_launch(client, partner, launch_body("slot"))
    location = (await client.get(plain["url"])).headers["location"]
    plain_auth = {"Authorization": "Bearer " + location.split("#session=", 1)[1]}
    assert (await client.get(GAME, headers=plain_auth)).json()["responsible_gaming"] is None
    assert (await spin(client, plain_auth)).json()["responsible_gaming"] is None
    assert (await play_session(sessions, plain["id"])).net_loss == 0


async def test_a_due_reality_check_stops_play_until_acknowledged(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    launch, auth = await launched(client, partner, reality_check_seconds=600)
    figures = (await client.get(CHECK, headers=auth)).json()["responsible_gaming"]
    assert 599 <= figures["reality_check_due_in_seconds"] <= 600
    assert figures["limits"]["reality_check_seconds"] == 600
    assert (await spin(client, auth)).status_code == 200
    # Not yet due: acknowledging changes nothing (no skipping ahead).
    early = (await client.post(CHECK, headers=auth)).json()["responsible_gaming"]
    assert early["reality_check_due_at"] == figures["reality_check_due_at"]
    # The time has come (moved on the server): the next spin waits for the player.
    await shift_session(
        sessions, launch["id"], reality_check_due_at=utcnow() - timedelta(seconds=1)
    )
    due = (await client.get(GAME, headers=auth)).json()["responsible_gaming"]
    assert due["reality_check_due_in_seconds"] == 0
    refused = await spin(client, auth)
    assert refused.status_code == 409, refused.text
    assert error_code(refused) == "reality_check_due"
    seen = await client.post(CHECK, headers=auth)
    assert seen.status_code == 200, seen.text
    assert 599 <= seen.json()["responsible_gaming"]["reality_check_due_in_seconds"] <= 600
    assert (await spin(client, auth)).status_code == 200
    twice = (await client.post(CHECK, headers=auth)).json()["responsible_gaming"]
    assert (
        twice["reality_check_due_at"] == seen.json()["responsible_gaming"]["reality_check_due_at"]
    )


async def test_the_pages_learn_the_limits_and_the_session_figures(
    client: httpx.AsyncClient, partner: PartnerFixture, fixed_reels: Any
) -> None:
    fixed_reels(0)
    limits = {
        "session_time_limit_seconds": 3600,
        "reality_check_seconds": 900,
        "max_stake": 500,
        "loss_limit": 10_000,
    }
    _launch, auth = await launched(client, partner, **limits)
    await spin(client, auth)
    figures = (await client.get(GAME, headers=auth)).json()["responsible_gaming"]
    assert figures["limits"] == limits | {"autoplay": True}
    assert (figures["currency"], figures["minor_units"]) == ("EUR", 2)
    assert (figures["net_result"], figures["loss_remaining"]) == (-BET, 10_000 - BET)
    assert 0 <= figures["duration_seconds"] < 60
    session = (await client.get("/play/api/session", headers=auth)).json()
    assert session["responsible_gaming"]["session_started_at"] == figures["session_started_at"]


async def test_two_rounds_racing_for_the_last_of_the_limit_play_one(
    client: httpx.AsyncClient, partner: PartnerFixture, fixed_reels: Any
) -> None:
    fixed_reels(0)
    _launch, auth = await launched(client, partner, loss_limit=3 * BET)
    assert (await spin(client, auth)).status_code == 200  # 100 lost, 200 of room left
    answers = await asyncio.gather(*(spin(client, auth) for _ in range(3)))
    statuses = sorted(answer.status_code for answer in answers)
    # Each of the three passed the check as read with its session; the play session's row
    # lets two of them in, and the third finds the session ended or the limit taken.
    assert statuses[:2] == [200, 200], [a.text for a in answers]
    assert statuses[2] in (401, 409)
    assert error_code(await client.get(GAME, headers=auth)) == "session_loss_limit_reached"


@pytest.fixture
async def seamless_partner(
    sessions: async_sessionmaker[AsyncSession], runtime: Runtime, sandbox: RunningSandbox
) -> PartnerFixture:
    made = await make_partner(sessions)
    await set_wallet(
        sessions,
        made,
        "seamless",
        secret_key=runtime.settings.signing_key,
        url=sandbox.base_url,
        auth_token=sandbox.auth_token,
    )
    return made


def debits(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    return [t for t in sandbox.wallet.snapshot()["transactions"] if t["kind"] == "debit"]


async def test_a_refused_round_never_calls_the_partners_wallet(
    client: httpx.AsyncClient,
    seamless_partner: PartnerFixture,
    sandbox: RunningSandbox,
    fixed_reels: Any,
) -> None:
    fixed_reels(0)
    _launch, auth = await launched(client, seamless_partner, max_stake=BET, loss_limit=150)
    assert (await client.get(GAME, headers=auth)).status_code == 200
    assert error_code(await spin(client, auth, bet=2 * BET)) == "stake_over_limit"
    played = await spin(client, auth)
    assert played.status_code == 200, played.text
    assert played.json()["responsible_gaming"]["net_result"] == -BET  # counted at the draw
    assert error_code(await spin(client, auth)) == "loss_limit_reached"
    assert len(debits(sandbox)) == 1


async def test_a_seamless_round_that_lost_the_race_is_cancelled_by_the_engine(
    client: httpx.AsyncClient,
    seamless_partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _launch, auth = await launched(client, seamless_partner, loss_limit=150)
    assert (await client.get(GAME, headers=auth)).status_code == 200
    token = auth["Authorization"].removeprefix("Bearer ")
    async with session_scope(sessions) as session:
        stale = await opening.resume(session, token=token)  # read before either round
    game = catalogue.game("monaco-nights")
    assert game is not None

    async def play(context: PlayContext) -> Any:
        request = SpinIn(spin_id=uuid.uuid4().hex, bet=BET)
        async with session_scope(sessions) as session:
            return await round_path.play(
                runtime, session, context, SlotSpin(context, game, request, reels(0))
            )

    first = await play(stale)
    assert first.session_net_loss == BET
    # The second read its session before the first counted: its check passed, its debit went
    # through, and the count at its draw refuses it (100 lost + 100 at stake > 150).
    with pytest.raises(LossLimitReached):
        await play(stale)
    late = [r for r in await rounds_of_launch(sessions, auth) if r.id != first.round.id]
    assert [(r.status, r.outcome) for r in late] == [(RoundStatus.debiting, None)]
    # Once the lease ends, the engine probes the debit (taken) and so cancels it (other tests'
    # work may be due in the same passes: the round's state is what counts).
    for _ in range(3):
        await run_engine(runtime, after_seconds=LEASE_OVER)
        if (await round_of(sessions, late[0].id)).status == RoundStatus.cancelled:
            break
    cancelled = await round_of(sessions, late[0].id)
    assert cancelled.status == RoundStatus.cancelled
    assert Decimal(sandbox.wallet.snapshot()["rounds"][cancelled.id]["net"]) == 0
    figures = (await client.get(GAME, headers=auth)).json()["responsible_gaming"]
    assert figures["net_result"] == -BET
