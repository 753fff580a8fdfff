"""A roulette round on the ledger's fast path (rounds/pg_ledger.py): the seat is read first and
moved by the round's own statement, only as it was read; a seat moved in between, or a round
that cannot be paid, leaves seat, money and rounds exactly as they were."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.launches.opening import PlayContext
from portero.partners.terms import terms_for
from portero.roulette.bets import BetType
from portero.roulette.rounds import RouletteSpin
from portero.roulette.schemas import BetIn, SpinIn
from tests.support.factories import PartnerFixture, make_partner
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

SEAT = (
    "SELECT server_seed, server_seed_hash, client_seed, nonce FROM roulette_seat"
    " WHERE player_id = $1"
)


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """PostgreSQL only: on SQLite every round takes the general path."""
    return postgres_url


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


def _spin(context: PlayContext, round_id: str, client_seed: str | None = None) -> RouletteSpin:
    terms = terms_for(context.partner_terms, context.currency)
    bets = [BetIn(type=BetType.red, amount=terms.min_bet)]
    request = SpinIn(round_id=round_id, bets=bets, client_seed=client_seed)
    return RouletteSpin(context, request, terms)


async def _seated(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime
) -> tuple[dict[str, str], PlayContext]:
    """A player whose seat and account exist: one round through the API (the general path)."""
    auth, context = await play_context(client, partner, runtime, "roulette")
    assert await play_fast(runtime, context, _spin(context, "no-seat-yet")) is None
    first = await client.post(
        "/play/api/roulette/spins",
        json={"round_id": "seats-the-player", "bets": [{"type": "red", "amount": 100}]},
        headers=auth,
    )
    assert first.status_code == 200, first.text
    return auth, context


async def _seat(database_url: str, player_key: int) -> dict[str, Any]:
    connection = await connect(database_url)
    try:
        return dict(await connection.fetchrow(SEAT, player_key))
    finally:
        await connection.close()


async def _move_seat(database_url: str, player_key: int) -> None:
    """What another request's round does to the seat: the next nonce."""
    connection = await connect(database_url)
    try:
        await connection.execute(
            "UPDATE roulette_seat SET nonce = nonce + 1 WHERE player_id = $1", player_key
        )
    finally:
        await connection.close()


async def test_a_round_reveals_the_committed_seed_and_commits_to_the_next(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    auth, context = await _seated(client, partner, runtime)
    before = await _seat(database_url, context.player_key)

    played = await play_fast(runtime, context, _spin(context, "on-the-fast-path", "mine"))

    assert played is not None
    assert played.round.outcome is not None
    fairness = played.round.outcome["fairness"]
    assert fairness["server_seed"] == before["server_seed"]
    assert fairness["server_seed_hash"] == before["server_seed_hash"]
    assert (fairness["nonce"], fairness["client_seed"]) == (before["nonce"], "mine")
    after = await _seat(database_url, context.player_key)
    assert after["nonce"] == before["nonce"] + 1
    assert after["client_seed"] == "mine"
    assert after["server_seed_hash"] != before["server_seed_hash"]
    table = await client.get("/play/api/roulette/table", headers=auth)
    assert table.json()["next"]["server_seed_hash"] == after["server_seed_hash"]


async def test_a_spin_through_the_api_sends_nothing_through_sqlalchemy(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    auth, context = await _seated(client, partner, runtime)
    before = await _seat(database_url, context.player_key)
    with statements_sent(runtime.engine) as statements:
        answer = await client.post(
            "/play/api/roulette/spins",
            json={"round_id": "fast", "bets": [{"type": "red", "amount": 100}]},
            headers=auth,
        )
    assert answer.status_code == 200, answer.text
    assert statements == []
    assert answer.json()["next"]["nonce"] == before["nonce"] + 1


class _Overtaken(RouletteSpin):
    """A round another request's round overtakes between reading the seat and the statement."""

    database_url = ""

    async def read_state(self, connection: asyncpg.Connection) -> bool:
        found = await super().read_state(connection)
        await _move_seat(self.database_url, self.context.player_key)
        return found


async def test_a_seat_moved_since_it_was_read_stops_the_whole_round(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    _auth, context = await _seated(client, partner, runtime)
    money = await ledger_of(database_url, context.player_key)
    seat = await _seat(database_url, context.player_key)
    terms = terms_for(context.partner_terms, context.currency)
    overtaken = _Overtaken(
        context,
        SpinIn(round_id="overtaken", bets=[BetIn(type=BetType.red, amount=terms.min_bet)]),
        terms,
    )
    overtaken.database_url = database_url

    assert await play_fast(runtime, context, overtaken) is None

    assert await ledger_of(database_url, context.player_key) == money
    assert await _seat(database_url, context.player_key) == seat | {"nonce": seat["nonce"] + 1}


async def test_a_round_it_cannot_pay_leaves_the_seat_as_it_was(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    _auth, context = await _seated(client, partner, runtime)
    await set_balance(database_url, context.player_key, 0)
    money = await ledger_of(database_url, context.player_key)
    seat = await _seat(database_url, context.player_key)

    assert await play_fast(runtime, context, _spin(context, "short")) is None

    assert await ledger_of(database_url, context.player_key) == money
    assert await _seat(database_url, context.player_key) == seat


async def test_a_round_that_waited_for_the_seat_sees_the_round_that_held_it(
    client: httpx.AsyncClient, partner: PartnerFixture, runtime: Runtime, database_url: str
) -> None:
    """The general path holds the seat (its round's transaction) while this round's statement
    waits for it; that round moves the seat and commits: this one finds the seat no longer as
    it read it, and writes nothing."""
    _auth, context = await _seated(client, partner, runtime)
    money = await ledger_of(database_url, context.player_key)
    holder = await connect(database_url)
    try:
        holding = holder.transaction()
        await holding.start()
        await holder.execute(
            "SELECT 1 FROM roulette_seat WHERE player_id = $1 FOR UPDATE", context.player_key
        )
        waiting = asyncio.create_task(play_fast(runtime, context, _spin(context, "waits")))
        await until_waiting(database_url, 1)
        await holder.execute(
            "UPDATE roulette_seat SET nonce = nonce + 1 WHERE player_id = $1", context.player_key
        )
        await holding.commit()
        played = await waiting
    finally:
        await holder.close()
    assert played is None
    assert await ledger_of(database_url, context.player_key) == money
