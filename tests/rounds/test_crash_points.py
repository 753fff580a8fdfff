"""A process that dies at each point of a seamless round (rounds/seamless.py): between its
commit and its call, between its call and its record, and the engine dying between a claim
and its record. The steps are run by hand up to the point of death; then the delivery engine,
as if another process, finds what the dead one left once its claim's lease has ended."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery import repository as deliveries
from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches import opening
from portero.launches.opening import PlayContext
from portero.rounds import seamless
from portero.rounds.errors import WalletUnavailable
from portero.rounds.models import RoundStatus
from portero.slots.games import catalogue
from portero.slots.rounds import SlotSpin
from portero.slots.schemas import SpinIn
from tests.rounds.conftest import TIMEOUT, round_of, run_engine, sit
from tests.support.factories import PartnerFixture
from tests.support.sandbox import RunningSandbox

LEASE_OVER = TIMEOUT + 0.5 + 0.5  # past the claim's lease (the timeout and the margin)
BET = 200


async def a_spin(
    runtime: Runtime, client: httpx.AsyncClient, partner: PartnerFixture
) -> tuple[PlayContext, SlotSpin]:
    auth, _player = await sit(client, partner)
    token = auth["Authorization"].removeprefix("Bearer ")
    async with session_scope(runtime.sessions) as session:
        context = await opening.resume(session, token=token)
    game = catalogue.game("monaco-nights")
    assert game is not None
    request = SpinIn(spin_id=uuid.uuid4().hex, bet=BET)
    return context, SlotSpin(context, game, request, secrets.randbelow)


async def up_to_the_draw(
    runtime: Runtime, client: httpx.AsyncClient, partner: PartnerFixture
) -> tuple[seamless.Step, seamless.Step]:
    """A round up to its draw (the debit sent and recorded): the debit's step, the credit's."""
    context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert not isinstance(step, seamless.PlayedRound)
    debit = await seamless.send_debit(runtime, step)
    return step, await seamless.after_debit(runtime, context, game, step, debit)


def movements(sandbox: RunningSandbox, round_id: str) -> list[tuple[str, str]]:
    return [
        (t["kind"], t["state"])
        for t in sandbox.wallet.snapshot()["transactions"]
        if t["round"] == round_id
    ]


def net(sandbox: RunningSandbox, round_id: str) -> Decimal:
    found = sandbox.wallet.snapshot()["rounds"].get(round_id)
    return Decimal(0) if found is None else Decimal(found["net"])


async def test_dead_between_the_commit_and_the_debit(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert not isinstance(step, seamless.PlayedRound)
    # While the dead request's claim lasts, nobody takes its debit.
    assert await run_engine(runtime, after_seconds=0) == 0
    assert await run_engine(runtime, after_seconds=LEASE_OVER) == 1  # the probe: applied now…
    assert await run_engine(runtime, after_seconds=LEASE_OVER) == 1  # …so it is cancelled
    played = await round_of(sessions, step.round_id)
    assert (played.status, played.outcome) == (RoundStatus.cancelled, None)
    assert movements(sandbox, played.id) == [("debit", "cancelled"), ("cancel", "applied")]
    assert net(sandbox, played.id) == 0


async def test_dead_between_the_debit_and_its_record(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert not isinstance(step, seamless.PlayedRound)
    result = await seamless.send_debit(runtime, step)
    assert result.succeeded  # the wallet took the money; the process died before recording
    assert await run_engine(runtime, after_seconds=LEASE_OVER) == 1
    assert await run_engine(runtime, after_seconds=LEASE_OVER) == 1
    played = await round_of(sessions, step.round_id)
    assert (played.status, played.outcome) == (RoundStatus.cancelled, None)
    assert net(sandbox, played.id) == 0
    # Had it only been slow, its late record changes nothing: the bet did not go through.
    with pytest.raises(WalletUnavailable):
        await seamless.after_debit(runtime, context, game, step, result)
    assert (await round_of(sessions, played.id)).status == RoundStatus.cancelled


async def test_dead_between_the_draw_and_the_credit(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    step, credit = await up_to_the_draw(runtime, client, partner)
    drawn = await round_of(sessions, step.round_id)
    assert drawn.status == RoundStatus.crediting
    assert drawn.outcome is not None
    assert await run_engine(runtime, after_seconds=0) == 0
    assert await run_engine(runtime, after_seconds=LEASE_OVER) == 1
    played = await round_of(sessions, credit.round_id)
    assert played.status == RoundStatus.settled
    assert played.outcome == drawn.outcome  # the outcome drawn stands
    assert net(sandbox, played.id) == Decimal((played.payout or 0) - BET) / 100
    assert movements(sandbox, played.id) == [("debit", "applied"), ("credit", "applied")]


async def test_dead_between_the_credit_and_its_record(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _step, credit = await up_to_the_draw(runtime, client, partner)
    assert (await seamless.send_credit(runtime, credit)).succeeded
    assert await run_engine(runtime, after_seconds=LEASE_OVER) == 1  # answered as a replay
    played = await round_of(sessions, credit.round_id)
    assert (played.status, played.wallet_status) == (RoundStatus.settled, "BET_ALREADY_EXIST")
    assert movements(sandbox, played.id) == [("debit", "applied"), ("credit", "applied")]
    # The late record of the dead request finds its claim gone and changes nothing.
    late = await seamless.after_credit(runtime, credit, await seamless.send_credit(runtime, credit))
    assert late.round.status == RoundStatus.settled


async def test_the_engine_dead_between_its_claim_and_its_record(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _step, credit = await up_to_the_draw(runtime, client, partner)
    claim_at = utcnow() + timedelta(seconds=LEASE_OVER)  # the request's own claim is over
    async with session_scope(sessions) as session:  # an engine claims the credit, then dies
        (claimed,) = await deliveries.claim_due(
            session, now=claim_at, lease_until=claim_at + timedelta(seconds=10), limit=10
        )
    assert claimed.id == credit.call.id
    assert await run_engine(runtime, after_seconds=LEASE_OVER + 5) == 0  # its claim holds
    assert await run_engine(runtime, after_seconds=LEASE_OVER + 11) == 1  # then it is due
    played = await round_of(sessions, credit.round_id)
    assert played.status == RoundStatus.settled
    assert movements(sandbox, played.id) == [("debit", "applied"), ("credit", "applied")]
