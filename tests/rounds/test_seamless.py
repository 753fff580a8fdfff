"""Seamless rounds end to end against the sandbox wallet (a real One Wallet server on
loopback), on both databases: the page's opening, one debit and one credit per round, every
class of answer, and what the player is told."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.launches.models import Launch, PlaySession
from portero.rounds.models import RoundStatus
from tests.rounds.conftest import calls_of, round_of, rounds_of_launch, sit
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    open_link,
    set_terms,
)
from tests.support.sandbox import RunningSandbox

GAME = "/play/api/slots/game"
SLOT_SPINS = "/play/api/slots/spins"
TABLE = "/play/api/roulette/table"
ROULETTE_SPINS = "/play/api/roulette/spins"
EUR_OPENING = 100_000  # the sandbox's 1,000.00


def minor(amount: Decimal) -> int:
    return int(amount * 100)


async def slot_spin(
    client: httpx.AsyncClient, auth: dict[str, str], bet: int = 100, spin_id: str | None = None
) -> httpx.Response:
    body = {"spin_id": spin_id or uuid.uuid4().hex, "bet": bet}
    return await client.post(SLOT_SPINS, json=body, headers=auth)


async def roulette_spin(
    client: httpx.AsyncClient, auth: dict[str, str], bets: list[dict[str, Any]], **extra: Any
) -> httpx.Response:
    body = {"round_id": uuid.uuid4().hex, "bets": bets} | extra
    return await client.post(ROULETTE_SPINS, json=body, headers=auth)


async def test_the_table_opens_with_check_and_shows_the_wallets_balance(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    body = launch_body("slot")
    player = body["player"]["id"]
    sandbox.wallet.set_balance(player, "EUR", Decimal("250.75"))
    auth = await open_link(client, await create_launch(client, partner, body))
    table = (await client.get(GAME, headers=auth)).json()
    assert table["balance"] == 25_075
    assert table["wallet"] == {"mode": "seamless", "play_money": False}
    # check's new sid replaced the partner's for the session: the sandbox issued it.
    async with inspecting(sessions) as session:
        sid = (
            await session.execute(
                select(PlaySession.wallet_sid)
                .join(Launch, Launch.id == PlaySession.launch_id)
                .where(Launch.partner_id == partner.id)
            )
        ).scalar_one()
    assert sid in sandbox.wallet.user(player)["sids"]


async def test_a_slot_spin_is_one_debit_and_one_credit_and_shows_the_wallets_balance(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, player = await sit(client, partner)
    response = await slot_spin(client, auth, bet=200)
    assert response.status_code == 200, response.text
    spun = response.json()
    win = spun["spin"]["win"]
    assert (
        spun["balance"] == EUR_OPENING - 200 + win == minor(sandbox.wallet.balance(player, "EUR"))
    )
    assert spun["spin"]["win_pending"] is False
    played = await round_of(sessions, spun["spin"]["id"])
    assert (played.status, played.stake, played.payout) == (RoundStatus.settled, 200, win)
    moved = sandbox.wallet.snapshot()
    mine = [t for t in moved["transactions"] if t["round"] == played.id]
    assert [(t["kind"], t["amount"], t["state"]) for t in mine] == [
        ("debit", Decimal("2.00"), "applied"),
        ("credit", Decimal(win) / 100, "applied"),
    ]
    assert mine[1]["ref_id"] == mine[0]["id"]  # the credit names its debit
    assert moved["rounds"][played.id]["closed"] is True
    calls = await calls_of(sessions, played.id)
    assert [(c.kind, c.status, [t.by for t in tries]) for c, tries in calls] == [
        ("wallet.debit", "done", ["inline"]),
        ("wallet.credit", "done", ["inline"]),
    ]


async def test_all_the_bets_of_a_roulette_spin_are_one_debit_and_a_loss_credits_zero(
    client: httpx.AsyncClient, partner: PartnerFixture, sandbox: RunningSandbox
) -> None:
    auth, player = await sit(client, partner, "roulette")
    bets = [{"type": "straight", "numbers": [n], "amount": 100} for n in range(1, 7)] + [
        {"type": "red", "amount": 500}
    ]
    response = await roulette_spin(client, auth, bets)
    assert response.status_code == 200, response.text
    played = response.json()["round"]
    mine = [t for t in sandbox.wallet.snapshot()["transactions"] if t["round"] == played["id"]]
    assert [(t["kind"], t["amount"]) for t in mine] == [
        ("debit", Decimal("11.00")),
        ("credit", Decimal(played["total_return"]) / 100),
    ]
    while played["total_return"]:  # until a loss (bounded: a miss on all is 1 - 6/37 - red)
        response = await roulette_spin(
            client, auth, [{"type": "straight", "numbers": [0], "amount": 100}]
        )
        played = response.json()["round"]
    credit = [t for t in sandbox.wallet.snapshot()["transactions"] if t["round"] == played["id"]][1]
    assert (credit["kind"], credit["amount"]) == ("credit", Decimal("0.00"))
    balance = minor(sandbox.wallet.balance(player, "EUR"))
    assert response.json()["balance"] == balance


async def test_a_debit_refused_for_funds_plays_nothing_and_leaves_the_seeds_untouched(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, player = await sit(client, partner, "roulette")
    sandbox.wallet.set_balance(player, "EUR", Decimal("0.50"))
    before = (await client.get(TABLE, headers=auth)).json()
    response = await roulette_spin(client, auth, [{"type": "red", "amount": 100}])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_funds"
    (refused,) = await rounds_of_launch(sessions, auth)
    assert (refused.status, refused.outcome, refused.wallet_status) == (
        RoundStatus.cancelled,
        None,
        "INSUFFICIENT_FUNDS",
    )
    after = (await client.get(TABLE, headers=auth)).json()
    assert after["next"] == before["next"]  # the provably fair sequence as if never tried
    assert after["balance"] == 50
    # The same round id again: the same refusal, no second call.
    again = await client.post(
        ROULETTE_SPINS,
        json={"round_id": refused.request_id, "bets": [{"type": "red", "amount": 100}]},
        headers=auth,
    )
    assert again.json()["error"]["code"] == "insufficient_funds"
    assert (
        len([t for t in sandbox.wallet.snapshot()["transactions"] if t["round"] == refused.id]) == 1
    )


async def test_a_fatal_status_ends_the_play_session(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, player = await sit(client, partner)
    sandbox.wallet.invalidate_sids(player)
    response = await slot_spin(client, auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"
    assert (await client.get(GAME, headers=auth)).status_code == 401
    (refused,) = await rounds_of_launch(sessions, auth)
    assert (refused.status, refused.wallet_status) == (RoundStatus.cancelled, "INVALID_SID")
    assert minor(sandbox.wallet.balance(player, "EUR")) == EUR_OPENING


async def test_a_locked_account_ends_the_session_at_the_table_already(
    client: httpx.AsyncClient, partner: PartnerFixture, sandbox: RunningSandbox
) -> None:
    body = launch_body("slot")
    sandbox.wallet.set_locked(body["player"]["id"], True)
    auth = await open_link(client, await create_launch(client, partner, body))
    response = await client.get(GAME, headers=auth)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "session_expired")
    assert (await client.get(GAME, headers=auth)).status_code == 401


async def test_the_same_round_id_twice_at_once_is_debited_once(
    client: httpx.AsyncClient, partner: PartnerFixture, sandbox: RunningSandbox
) -> None:
    auth, _player = await sit(client, partner)
    spin_id = uuid.uuid4().hex
    answers = await asyncio.gather(*(slot_spin(client, auth, spin_id=spin_id) for _ in range(4)))
    statuses = sorted(a.status_code for a in answers)
    assert 200 in statuses, [a.text for a in answers]
    assert set(statuses) <= {200, 503}, [a.text for a in answers]
    played = {a.json()["spin"]["id"] for a in answers if a.status_code == 200}
    assert len(played) == 1
    debits = [t for t in sandbox.wallet.snapshot()["transactions"] if t["kind"] == "debit"]
    assert len(debits) == 1
    replay = await slot_spin(client, auth, spin_id=spin_id)
    assert replay.json()["replayed"] is True
    assert replay.json()["spin"]["id"] in played


async def test_an_amount_two_decimals_cannot_carry_is_refused_before_anything_is_written(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await set_terms(sessions, partner, "BHD", demo_credit=0, min_bet=1, max_bet=100_000)
    auth, _player = await sit(client, partner, "roulette", currency="BHD")
    response = await roulette_spin(client, auth, [{"type": "red", "amount": 1_005}])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "amount_not_supported"
    assert await rounds_of_launch(sessions, auth) == []
    # A stake of whole hundredths whose bets are not: their returns would not be either.
    dozens = [{"type": "dozen", "target": t, "amount": 1_005} for t in (1, 2, 3)]
    response = await roulette_spin(client, auth, [*dozens, {"type": "red", "amount": 1_005}])
    assert response.json()["error"]["code"] == "amount_not_supported"
    assert await rounds_of_launch(sessions, auth) == []
    played = await roulette_spin(client, auth, [{"type": "red", "amount": 1_010}])
    assert played.status_code == 200, played.text
    debit = sandbox.wallet.snapshot()["transactions"][0]
    assert (debit["currency"], debit["amount"]) == ("BHD", Decimal("1.01"))
