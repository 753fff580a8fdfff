"""The ledger round's single-statement path on PostgreSQL (rounds/pg_ledger.py): what it
writes when it plays, and that it writes nothing when it hands a round to the general path."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import replace

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.kit import metrics
from portero.launches.limits import SessionLimits
from portero.launches.opening import PlayContext
from portero.rounds import pg_ledger
from portero.slots.games import catalogue
from portero.slots.rounds import SlotSpin
from portero.slots.schemas import SpinIn
from tests.support.factories import (
    PartnerFixture,
    make_partner,
)
from tests.support.pg_rounds import (
    connect,
    ledger_of,
    play_context,
    play_fast,
    set_balance,
    until_waiting,
)
from tests.support.statements import statements_sent

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """PostgreSQL only: on SQLite every round takes the general path."""
    return postgres_url


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    """A partner on the demo wallet (the rounds' own fixture is a seamless one)."""
    return await make_partner(sessions)


def _slot_spin(context: PlayContext, bet: int = 20, spin_id: str | None = None) -> SlotSpin:
    game = catalogue.game("monaco-nights")
    assert game is not None
    request = SpinIn(spin_id=spin_id or uuid.uuid4().hex, bet=bet)
    return SlotSpin(context, game, request, random.Random(7).randrange)


async def test_a_slot_round_writes_money_round_and_entries_together(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    auth, context = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    first = await client.post(
        "/play/api/slots/spins", json={"spin_id": "opens-the-account", "bet": 20}, headers=auth
    )
    assert first.status_code == 200, first.text
    before = await ledger_of(database_url, context.player_key)

    played = await play_fast(runtime, context, _slot_spin(context))

    assert played is not None
    assert not played.replayed
    after = await ledger_of(database_url, context.player_key)
    payout = played.round.payout
    assert payout is not None
    assert after["balance"] == before["balance"] - 20 + payout == played.balance
    fresh = [r for r in after["rounds"] if r["id"] == played.round.id]
    assert fresh == [
        {"id": played.round.id, "status": "settled", "stake": 20, "payout": payout,
         "balance_after": played.balance}
    ]  # fmt: skip
    mine = [tuple(e) for e in after["entries"] if e["reference"] == f"slot:{played.round.id}"]
    expected = [("stake", -20, played.balance - payout, f"slot:{played.round.id}")]
    if payout:
        expected.append(("win", payout, played.balance, f"slot:{played.round.id}"))
    assert mine == expected


async def test_what_it_leaves_to_the_general_path_is_left_untouched(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    _auth, newcomer = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    assert await play_fast(runtime, newcomer, _slot_spin(newcomer)) is None  # no account yet
    assert await ledger_of(database_url, newcomer.player_key) == {
        "balance": None, "rounds": [], "entries": []
    }  # fmt: skip

    auth, player = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    body = {"spin_id": "played-before", "bet": 20}
    assert (await client.post("/play/api/slots/spins", json=body, headers=auth)).status_code == 200
    written = await ledger_of(database_url, player.player_key)
    assert await play_fast(runtime, player, _slot_spin(player, spin_id="played-before")) is None
    assert await play_fast(runtime, player, _slot_spin(player, bet=21)) is None  # not a bet level
    assert await ledger_of(database_url, player.player_key) == written
    await set_balance(database_url, player.player_key, 19)
    written = await ledger_of(database_url, player.player_key)
    assert await play_fast(runtime, player, _slot_spin(player, bet=20)) is None  # not covered
    assert await ledger_of(database_url, player.player_key) == written


async def test_limits_and_webhooks_keep_to_the_general_path(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime
) -> None:
    _auth, context = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    assert not context.webhooks
    assert context.limits is None
    assert pg_ledger.usable(context)
    assert not pg_ledger.usable(replace(context, webhooks=True))
    assert not pg_ledger.usable(replace(context, limits=SessionLimits(max_stake=100)))


async def test_an_endpoint_enabled_after_the_session_was_read_is_seen(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    """The session said "no webhooks"; an endpoint enabled since then owes the round's event,
    so the statement leaves the round to the general path, which records it."""
    auth, context = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    body = {"spin_id": "opens-the-account", "bet": 20}
    assert (await client.post("/play/api/slots/spins", json=body, headers=auth)).status_code == 200
    assert not context.webhooks
    connection = await connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO webhook_endpoint (id, partner_id, url, enabled_events, status, secret,"
            " created_at, updated_at) VALUES ('we_late', $1, 'https://example.com/hook',"
            " '[\"*\"]', 'enabled', '\\x00', now(), now())",
            partner.id,
        )
        assert await play_fast(runtime, context, _slot_spin(context)) is None
    finally:
        await connection.execute("DELETE FROM webhook_endpoint WHERE id = 'we_late'")
        await connection.close()


async def test_concurrent_retries_of_a_round_on_this_path_play_it_once(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    auth, context = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    body = {"spin_id": "opens-the-account", "bet": 20}
    assert (await client.post("/play/api/slots/spins", json=body, headers=auth)).status_code == 200
    before = await ledger_of(database_url, context.player_key)
    retried = {"spin_id": "retried", "bet": 20}
    answers = await asyncio.gather(
        *(client.post("/play/api/slots/spins", json=retried, headers=auth) for _ in range(3))
    )
    assert [a.status_code for a in answers] == [200] * 3
    assert sorted(a.json()["replayed"] for a in answers) == [False, True, True]
    after = await ledger_of(database_url, context.player_key)
    assert len(after["rounds"]) == len(before["rounds"]) + 1
    stakes = [e for e in after["entries"] if e["kind"] == "stake"]
    assert len(stakes) == len([e for e in before["entries"] if e["kind"] == "stake"]) + 1


async def test_a_retry_that_waited_for_its_original_is_left_to_the_general_path(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    """Two statements for one round id, both waiting on the account's row: the first plays
    the round, the second meets the round's unique key, writes nothing and answers None (the
    general path then answers it as a replay)."""
    auth, context = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    body = {"spin_id": "opens-the-account", "bet": 20}
    assert (await client.post("/play/api/slots/spins", json=body, headers=auth)).status_code == 200
    before = await ledger_of(database_url, context.player_key)
    blocker = await connect(database_url)
    try:
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute(
            "SELECT 1 FROM wallet_account WHERE player_id = $1 FOR UPDATE", context.player_key
        )
        racing = [
            asyncio.create_task(play_fast(runtime, context, _slot_spin(context, spin_id="twice")))
            for _ in range(2)
        ]
        await until_waiting(database_url, 2)
        await holding.commit()
        played = await asyncio.gather(*racing)
    finally:
        await blocker.close()
    assert sorted(p is None for p in played) == [False, True]
    after = await ledger_of(database_url, context.player_key)
    assert len(after["rounds"]) == len(before["rounds"]) + 1


async def test_a_spin_through_the_api_takes_this_path(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime
) -> None:
    """Once the account exists, a spin sends nothing through SQLAlchemy's engine, and its
    round is counted once."""
    auth, _unused = await play_context(client, partner, runtime, "slot", game_id="monaco-nights")
    first = {"spin_id": "opens-the-account", "bet": 20}
    assert (await client.post("/play/api/slots/spins", json=first, headers=auth)).status_code == 200
    labels = (str(partner.id), "monaco-nights", "EUR")
    counted = metrics.GAME_ROUNDS.labels(*labels)._value.get()
    with statements_sent(runtime.engine) as statements:
        second = {"spin_id": "on-the-fast-path", "bet": 20}
        answer = await client.post("/play/api/slots/spins", json=second, headers=auth)
    assert answer.status_code == 200, answer.text
    assert statements == []
    assert metrics.GAME_ROUNDS.labels(*labels)._value.get() == counted + 1
