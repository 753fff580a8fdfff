"""What happens when anything fails in a seamless round: every fault the sandbox can inject,
on the debit and on the credit, and a process dying at each point between the round's steps.
Every case ends with the round closed and the wallet's movement equal to Portero's record."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.rounds.models import GameRound, RoundStatus
from portero.wallet.sandbox import FaultKind, FaultPlan
from tests.rounds.conftest import (
    TIMEOUT,
    calls_of,
    drain,
    round_of,
    rounds_of_launch,
    sit,
)
from tests.support.factories import PartnerFixture
from tests.support.sandbox import RunningSandbox

SPINS = "/play/api/slots/spins"
LEASE_OVER = TIMEOUT + 0.5 + 0.1  # the inline claim's lease (timeout and margin) has ended


def net(sandbox: RunningSandbox, round_id: str) -> Decimal:
    """The player's gain in the round as the wallet saw it (credits + refunds - debits)."""
    found = sandbox.wallet.snapshot()["rounds"].get(round_id)
    return Decimal(0) if found is None else Decimal(found["net"])


def portero_net(played: GameRound) -> Decimal:
    """The same as Portero recorded it: the return minus the stake for a settled round,
    nothing for a cancelled one."""
    if played.status == RoundStatus.cancelled:
        return Decimal(0)
    assert played.status == RoundStatus.settled
    return Decimal((played.payout or 0) - played.stake) / 100


def applied(sandbox: RunningSandbox, round_id: str, kind: str) -> list[str]:
    return [
        t["state"]
        for t in sandbox.wallet.snapshot()["transactions"]
        if t["round"] == round_id and t["kind"] == kind
    ]


async def faulty_spin(
    client: httpx.AsyncClient, auth: dict[str, str], plan: FaultPlan
) -> httpx.Response:
    """One spin with the plan's fault on its calls, then none."""
    plan.rate = 1.0
    try:
        return await client.post(
            SPINS, json={"spin_id": uuid.uuid4().hex, "bet": 100}, headers=auth
        )
    finally:
        plan.rate = 0.0


async def a_failed_credit(
    client: httpx.AsyncClient, partner: PartnerFixture, faults: FaultPlan, runtime: Runtime
) -> str:
    """A round whose credit every try (the inline one, then the schedule's three retries)
    met an HTTP 500: failed, for an operator; its id. The wallet stays broken."""
    auth, _player = await sit(client, partner)
    aim(faults, FaultKind.http_500_before, "credit").rate = 1.0
    spun = await client.post(SPINS, json={"spin_id": uuid.uuid4().hex, "bet": 100}, headers=auth)
    await drain(runtime)
    return str(spun.json()["spin"]["id"])


def aim(plan: FaultPlan, kind: FaultKind, method: str) -> FaultPlan:
    """The plan, set to inject `kind` on `method` (once its rate is raised)."""
    plan.kinds = (kind,)
    plan.methods = frozenset({method})
    return plan


@pytest.mark.parametrize("kind", list(FaultKind))
async def test_a_debit_whose_answer_is_lost_is_given_back(
    kind: FaultKind,
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    faults: FaultPlan,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, _player = await sit(client, partner)
    response = await faulty_spin(client, auth, aim(faults, kind, "debit"))
    if kind is FaultKind.reply_twice:  # the wallet's own retransmission answer: a success
        assert response.status_code == 200, response.text
        round_id = response.json()["spin"]["id"]
    else:
        assert response.status_code == 502, response.text
        assert response.json()["error"]["code"] == "wallet_unavailable"
        round_id = (await rounds_of_launch(sessions, auth))[-1].id
        played = await round_of(sessions, round_id)
        assert (played.status, played.outcome) == (RoundStatus.debit_unknown, None)
    await drain(runtime)
    played = await round_of(sessions, round_id)
    assert played.status in (RoundStatus.settled, RoundStatus.cancelled)
    assert net(sandbox, round_id) == portero_net(played)
    if kind is not FaultKind.reply_twice:
        assert played.status == RoundStatus.cancelled
        assert applied(sandbox, round_id, "debit") in (["cancelled"], [])


@pytest.mark.parametrize("kind", list(FaultKind))
async def test_a_credit_that_fails_is_paid_later_and_once(
    kind: FaultKind,
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    faults: FaultPlan,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, player = await sit(client, partner)
    response = await faulty_spin(client, auth, aim(faults, kind, "credit"))
    assert response.status_code == 200, response.text  # the player sees the result…
    spun = response.json()
    pending = kind is not FaultKind.reply_twice
    assert spun["spin"]["win_pending"] is pending  # …the win marked pending until confirmed
    if pending:
        assert spun["balance"] == 100_000 - 100  # the wallet's balance after the debit
    await drain(runtime)
    played = await round_of(sessions, spun["spin"]["id"])
    assert played.status == RoundStatus.settled
    assert net(sandbox, played.id) == portero_net(played)
    assert applied(sandbox, played.id, "credit") == ["applied"]  # credited exactly once
    shown = (await client.get(SPINS + "?limit=1", headers=auth)).json()["data"][0]
    assert (shown["id"], shown["win_pending"]) == (played.id, False)
    assert shown["balance_after"] == int(sandbox.wallet.balance(player, "EUR") * 100)


async def test_a_credit_never_confirmed_fails_and_waits_for_an_operator(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    faults: FaultPlan,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    round_id = await a_failed_credit(client, partner, faults, runtime)
    played = await round_of(sessions, round_id)
    assert played.status == RoundStatus.failed
    assert "not confirmed after 4 tries" in (played.note or "")
    failures = await client.get("/v1/wallet/failures", headers=partner.auth)
    (listed,) = failures.json()["data"]
    assert listed["id"] == played.id
    credit = next(c for c in listed["calls"] if c["kind"] == "credit")
    assert credit["status"] == "failed"
    assert [t["by"] for t in credit["tries"]] == ["inline", "engine", "engine", "engine"]
    assert {t["outcome"] for t in credit["tries"]} == {"http_500"}
    # The wallet is mended; the operator retries: the credit is paid, once.
    faults.rate = 0.0
    retried = await client.post(f"/v1/wallet/failures/{played.id}/retry", headers=partner.auth)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "crediting"
    await drain(runtime)
    assert (await round_of(sessions, played.id)).status == RoundStatus.settled
    assert applied(sandbox, played.id, "credit") == ["applied"]
    again = await client.post(f"/v1/wallet/failures/{played.id}/retry", headers=partner.auth)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "round_not_failed")
    assert (await client.get("/v1/wallet/failures", headers=partner.auth)).json()["data"] == []


async def test_an_operator_resolves_a_failed_round_by_hand(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    faults: FaultPlan,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    round_id = await a_failed_credit(client, partner, faults, runtime)
    path = f"/v1/wallet/failures/{round_id}/resolve"
    bad = await client.post(path, json={"resolution": "paid", "note": "x"}, headers=partner.auth)
    assert bad.status_code == 400
    resolved = await client.post(
        path,
        json={"resolution": "credited", "note": "paid by hand, ticket 77"},
        headers=partner.auth,
    )
    assert resolved.status_code == 200, resolved.text
    played = await round_of(sessions, round_id)
    assert (played.status, played.settled_at is not None) == (RoundStatus.settled, True)
    assert "ticket 77" in (played.note or "")
    tries = [t for c in resolved.json()["calls"] for t in c["tries"]]
    assert (tries[-1]["by"], tries[-1]["outcome"]) == ("operator", "resolved as credited")
    # Nothing of the round is retried any more.
    assert "pending" not in {c.status for c, _tries in await calls_of(sessions, round_id)}


async def test_a_balance_no_wallet_means_is_not_shown_and_the_round_still_settles(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, player = await sit(client, partner)
    sandbox.wallet.set_balance(player, "EUR", Decimal("1E+20"))
    response = await client.post(SPINS, json={"spin_id": "huge", "bet": 100}, headers=auth)
    assert response.status_code == 200, response.text
    played = await round_of(sessions, response.json()["spin"]["id"])
    assert (played.status, played.balance_after) == (RoundStatus.settled, None)


async def test_the_same_round_retried_and_resolved_at_once_ends_one_way_or_the_other(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    faults: FaultPlan,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    round_id = await a_failed_credit(client, partner, faults, runtime)
    base = f"/v1/wallet/failures/{round_id}"
    retried, resolved = await asyncio.gather(
        client.post(base + "/retry", headers=partner.auth),
        client.post(
            base + "/resolve",
            json={"resolution": "cancelled", "note": "refunded by hand"},
            headers=partner.auth,
        ),
    )
    assert sorted([retried.status_code, resolved.status_code]) == [200, 409], (
        retried.text,
        resolved.text,
    )
    played = await round_of(sessions, round_id)
    (credit,) = [c for c, _tries in await calls_of(sessions, round_id) if c.kind == "wallet.credit"]
    if retried.status_code == 200:  # retried first: the credit is pending again
        assert (played.status, credit.status) == (RoundStatus.crediting, "pending")
    else:  # resolved first: nothing is left to send
        assert (played.status, credit.status) == (RoundStatus.cancelled, "done")
