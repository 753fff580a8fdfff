"""The roulette table's play API on both databases: money, limits, idempotency, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.secrets import hash_token
from portero.launches.models import PlaySession
from portero.partners.terms import default_terms
from portero.players.models import Player
from portero.roulette import fairness
from portero.roulette.bets import Bet, BetType, covered_numbers
from portero.wallet.models import WalletAccount, WalletEntry
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
    set_terms,
)

TABLE = "/play/api/roulette/table"
SPINS = "/play/api/roulette/spins"
ROUNDS = "/play/api/roulette/rounds"
EUR = default_terms("EUR")
SESSION_EXPIRED_511 = {
    "status": "ERROR",
    "code_error": "511",
    "description": "Session Expired -  No Content",
}


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


async def account_of(
    sessions: async_sessionmaker[AsyncSession],
    partner: PartnerFixture,
    player_id: str,
    currency: str = "EUR",
) -> tuple[WalletAccount, list[WalletEntry]]:
    async with inspecting(sessions) as session:
        account = (
            await session.execute(
                select(WalletAccount)
                .join(Player, Player.id == WalletAccount.player_id)
                .where(Player.partner_id == partner.id, Player.external_id == player_id)
                .where(WalletAccount.currency == currency)
            )
        ).scalar_one()
        entries = (
            await session.scalars(
                select(WalletEntry)
                .where(WalletEntry.account_id == account.id)
                .order_by(WalletEntry.id)
            )
        ).all()
    return account, list(entries)


async def seat(client: httpx.AsyncClient, partner: PartnerFixture, **player: Any) -> dict[str, str]:
    """A roulette launch, opened: the play session's Authorization header."""
    body = launch_body()
    body["player"] |= player
    return await open_link(client, await create_launch(client, partner, body))


async def spin(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    bets: list[dict[str, Any]],
    *,
    round_id: str | None = None,
    **extra: Any,
) -> httpx.Response:
    body = {"round_id": round_id or uuid.uuid4().hex, "bets": bets} | extra
    return await client.post(SPINS, json=body, headers=auth)


def engine_return(bets: list[dict[str, Any]], number: int) -> int:
    """What the engine pays for these wire bets on `number`."""
    total = 0
    for bet in bets:
        kind = BetType(bet["type"])
        covered = covered_numbers(kind, numbers=bet.get("numbers"), target=bet.get("target"))
        total += Bet(kind, covered, bet["amount"]).returns(number)
    return total


async def test_a_new_player_sits_down_with_the_demo_credit_and_a_commitment(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    response = await client.get(TABLE, headers=auth)
    assert response.status_code == 200, response.text
    table = response.json()
    assert table["currency"] == "EUR"
    assert table["minor_units"] == 2
    assert table["balance"] == EUR.demo_credit == 100_000
    assert table["limits"] == {"min_bet": EUR.min_bet, "max_bet": EUR.max_bet}
    assert table["chips"][0] == EUR.min_bet
    assert table["chips"][-1] <= EUR.max_bet
    assert table["next"]["nonce"] == 0
    assert len(table["next"]["server_seed_hash"]) == 64
    assert table["last_numbers"] == []
    # Reading the table again neither credits twice nor changes the commitment.
    again = (await client.get(TABLE, headers=auth)).json()
    assert again["balance"] == table["balance"]
    assert again["next"] == table["next"]


async def test_a_spin_settles_exactly_the_engines_result_and_reveals_the_committed_seed(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    before = (await client.get(TABLE, headers=auth)).json()
    bets: list[dict[str, Any]] = [
        {"type": "straight", "numbers": [17], "amount": 100},
        {"type": "split", "numbers": [0, 2], "amount": 200},
        {"type": "corner", "numbers": [1, 2, 4, 5], "amount": 300},
        {"type": "dozen", "target": 3, "amount": 400},
        {"type": "red", "amount": 500},
        {"type": "odd", "amount": 600},
    ]
    response = await spin(client, auth, bets, client_seed="my-own-seed")
    assert response.status_code == 200, response.text
    result = response.json()
    played = result["round"]
    fair = played["fairness"]
    # The revealed seed is the one committed to, and the number follows from it.
    assert fair["server_seed_hash"] == before["next"]["server_seed_hash"]
    assert fairness.commitment(fair["server_seed"]) == fair["server_seed_hash"]
    assert fair["client_seed"] == "my-own-seed"
    assert fair["nonce"] == 0
    number = fairness.draw(fair["server_seed"], "my-own-seed", 0)
    assert played["number"] == number
    stake = sum(b["amount"] for b in bets)
    assert played["total_stake"] == stake
    assert played["total_return"] == engine_return(bets, number)
    assert result["balance"] == before["balance"] - stake + engine_return(bets, number)
    assert played["balance_after"] == result["balance"]
    assert [b["returned"] for b in played["bets"]] == [engine_return([b], number) for b in bets]
    # The next round has a new commitment, the next nonce and keeps the client seed.
    assert result["next"]["nonce"] == 1
    assert result["next"]["client_seed"] == "my-own-seed"
    assert result["next"]["server_seed_hash"] != fair["server_seed_hash"]
    table = (await client.get(TABLE, headers=auth)).json()
    assert table["balance"] == result["balance"]
    assert table["last_numbers"] == [number]
    assert table["next"] == result["next"]


async def test_the_ledger_records_every_movement_and_adds_up(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    auth = await seat(client, partner, id="ledger-player")
    balances = []
    for _ in range(5):
        response = await spin(client, auth, [{"type": "straight", "numbers": [7], "amount": 1000}])
        assert response.status_code == 200, response.text
        balances.append(response.json()["balance"])
    account, entries = await account_of(sessions, partner, "ledger-player")
    assert account.balance == balances[-1]
    assert sum(e.amount for e in entries) == account.balance
    assert entries[0].kind == "opening_credit"
    assert entries[0].amount == EUR.demo_credit
    stakes = [e for e in entries if e.kind == "stake"]
    assert [e.amount for e in stakes] == [-1000] * 5
    running = 0
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running


@pytest.mark.parametrize(
    ("bet", "code", "param"),
    [
        ({"type": "split", "numbers": [1, 5], "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "corner", "numbers": [3, 4, 6, 7], "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "straight", "numbers": [37], "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "split", "numbers": [1, 1], "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "dozen", "target": 4, "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "red", "numbers": [99], "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "red", "target": 1, "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "straight", "numbers": [5], "target": 9, "amount": 100}, "bet_illegal", "bets.0"),
        ({"type": "dozen", "target": 1, "numbers": [1], "amount": 100}, "bet_illegal", "bets.0"),
        (
            {"type": "straight", "numbers": [5], "amount": -100},
            "bet_out_of_limits",
            "bets.0.amount",
        ),
        ({"type": "straight", "numbers": [5], "amount": 0}, "bet_out_of_limits", "bets.0.amount"),
        ({"type": "straight", "numbers": [5], "amount": 99}, "bet_out_of_limits", "bets.0.amount"),
        ({"type": "red", "amount": 50_001}, "bet_out_of_limits", "bets.0.amount"),
        ({"type": "red", "amount": 1.5}, "parameter_invalid", "bets.0.amount"),
        ({"type": "red", "amount": "100"}, "parameter_invalid", "bets.0.amount"),
        ({"type": "neighbours", "amount": 100}, "parameter_unsupported", "bets.0.type"),
        ({"type": "red", "amount": 100, "color": "red"}, "parameter_unknown", "bets.0.color"),
    ],
)
async def test_an_illegal_bet_is_refused_with_a_clear_error_and_changes_nothing(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    bet: dict[str, Any],
    code: str,
    param: str,
) -> None:
    auth = await seat(client, partner)
    before = (await client.get(TABLE, headers=auth)).json()
    response = await spin(client, auth, [bet])
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == (code, param)
    assert error["message"]
    after = (await client.get(TABLE, headers=auth)).json()
    assert after == before  # same balance, same commitment, same nonce, no round


async def test_a_refused_bet_among_good_ones_refuses_the_whole_spin(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    before = (await client.get(TABLE, headers=auth)).json()
    bets = [
        {"type": "red", "amount": 100},
        {"type": "black", "amount": 100},
        {"type": "red", "amount": 200},  # the same spot twice
    ]
    response = await spin(client, auth, bets)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "bets.2"
    assert (await client.get(TABLE, headers=auth)).json() == before


async def test_stakes_beyond_the_balance_are_refused(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await set_terms(sessions, partner, "EUR", demo_credit=1_000, min_bet=100, max_bet=1_000)
    auth = await seat(client, partner)
    bets = [{"type": "red", "amount": 600}, {"type": "black", "amount": 500}]
    response = await spin(client, auth, bets)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "insufficient_funds"
    assert "11.00 EUR" in error["message"]
    assert "10.00 EUR" in error["message"]
    table = (await client.get(TABLE, headers=auth)).json()
    assert table["balance"] == 1_000
    assert table["next"]["nonce"] == 0
    # Exactly the balance is fine.
    response = await spin(client, auth, [{"type": "red", "amount": 500}, bets[1]])
    assert response.status_code == 200, response.text


async def test_partner_terms_set_credit_limits_and_currency(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await set_terms(sessions, partner, "JPY", demo_credit=50_000, min_bet=100, max_bet=10_000)
    auth = await seat(client, partner, currency="JPY")
    table = (await client.get(TABLE, headers=auth)).json()
    assert (table["currency"], table["minor_units"], table["balance"]) == ("JPY", 0, 50_000)
    assert table["limits"] == {"min_bet": 100, "max_bet": 10_000}
    refused = await spin(client, auth, [{"type": "red", "amount": 10_001}])
    assert refused.json()["error"]["code"] == "bet_out_of_limits"
    assert "100-10000 JPY" in refused.json()["error"]["message"]
    # The same player in euros has a separate wallet, on the default terms.
    player = (await client.get("/play/api/session", headers=auth)).json()["player"]["id"]
    in_euros = await seat(client, partner, id=player, currency="EUR")
    assert (await client.get(TABLE, headers=in_euros)).json()["balance"] == EUR.demo_credit
    yen, _ = await account_of(sessions, partner, player, "JPY")
    assert yen.balance == 50_000


def game_metric(name: str, partner: PartnerFixture) -> float:
    labels = {"partner": str(partner.id), "game": "roulette", "currency": "EUR"}
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_retried_round_is_played_once(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    bets = [{"type": "column", "target": 2, "amount": 2_500}]
    names = ("rounds_total", "staked_minor_total", "returned_minor_total")
    before = [game_metric(f"portero_game_{name}", partner) for name in names]
    first = await spin(client, auth, bets, round_id="round-1")
    again = await spin(client, auth, bets, round_id="round-1")
    # Counted once, with what the round took and paid.
    after = [game_metric(f"portero_game_{name}", partner) for name in names]
    returned = first.json()["round"]["total_return"]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 2_500, returned]
    assert first.status_code == again.status_code == 200
    assert first.json()["replayed"] is False
    assert again.json()["replayed"] is True
    assert again.json()["round"] == first.json()["round"]
    assert again.json()["balance"] == first.json()["balance"]
    table = (await client.get(TABLE, headers=auth)).json()
    assert table["next"]["nonce"] == 1
    rounds = (await client.get(ROUNDS, headers=auth)).json()["data"]
    assert len(rounds) == 1
    # The same bets listed differently are the same request.
    two = [
        {"type": "split", "numbers": [2, 1], "amount": 100},
        {"type": "red", "amount": 100},
    ]
    original = await spin(client, auth, two, round_id="round-2")
    reordered = await spin(
        client, auth, [two[1], {**two[0], "numbers": [1, 2]}], round_id="round-2"
    )
    assert reordered.status_code == 200, reordered.text
    assert reordered.json()["replayed"] is True
    assert reordered.json()["round"]["id"] == original.json()["round"]["id"]
    # The same id with other bets is a mistake, not a new round.
    other = await spin(client, auth, [{"type": "red", "amount": 100}], round_id="round-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "round_id_reused"
    assert (await client.get(TABLE, headers=auth)).json()["balance"] == (original.json()["balance"])


async def test_simultaneous_retries_of_one_round_play_it_once(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    bets = [{"type": "high", "amount": 1_000}]
    answers = await asyncio.gather(
        *(spin(client, auth, bets, round_id="same-round") for _ in range(4))
    )
    assert [a.status_code for a in answers] == [200] * 4
    assert sorted(a.json()["replayed"] for a in answers) == [False, True, True, True]
    assert len({a.json()["round"]["id"] for a in answers}) == 1
    rounds = (await client.get(ROUNDS, headers=auth)).json()["data"]
    assert len(rounds) == 1


async def test_two_spins_at_once_cannot_overdraw(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Two tabs of one player (two launches, one wallet) each stake the whole balance at once:
    one spin is settled, the other is refused, and the balance never goes below zero."""
    await set_terms(sessions, partner, "EUR", demo_credit=1_000, min_bet=100, max_bet=1_000)
    player_id = "two-tabs-" + uuid.uuid4().hex[:6]
    tabs = [await seat(client, partner, id=player_id) for _ in range(2)]
    assert (await client.get(TABLE, headers=tabs[0])).json()["balance"] == 1_000
    # A straight bet on zero: losing is likely, so neither settled spin leaves enough for the
    # other; a win would leave 36,000, which the assertions below account for.
    bets = [{"type": "straight", "numbers": [0], "amount": 1_000}]
    answers = await asyncio.gather(*(spin(client, tab, bets) for tab in tabs))
    statuses = sorted(a.status_code for a in answers)
    won = [a for a in answers if a.status_code == 200 and a.json()["round"]["number"] == 0]
    if won:
        assert statuses == [200, 200]
    else:
        assert statuses == [200, 409]
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json()["error"]["code"] == "insufficient_funds"
    account, entries = await account_of(sessions, partner, player_id)
    assert account.balance >= 0
    assert sum(e.amount for e in entries) == account.balance
    settled = [a for a in answers if a.status_code == 200]
    assert len([e for e in entries if e.kind == "stake"]) == len(settled)


async def test_a_new_players_first_table_and_spin_at_once_do_not_deadlock(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    """The table view and a spin create the seat and the wallet in the same order."""
    tabs = [await seat(client, partner) for _ in range(4)]
    calls = []
    for tab in tabs:
        calls += [
            client.get(TABLE, headers=tab),
            spin(client, tab, [{"type": "odd", "amount": 100}]),
        ]
        calls += [client.get(TABLE, headers=tab)]
    answers = await asyncio.gather(*calls)
    assert [a.status_code for a in answers] == [200] * len(calls)


async def test_history_keeps_the_players_rounds_with_their_seeds(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    played = []
    for index in range(12):
        response = await spin(client, auth, [{"type": "even", "amount": 100 + index}])
        assert response.status_code == 200, response.text
        played.append(response.json()["round"])
    # A later session of the same player (a new launch) sees the same history.
    player = (await client.get("/play/api/session", headers=auth)).json()["player"]["id"]
    later = await seat(client, partner, id=player)
    rounds = (await client.get(ROUNDS, params={"limit": 10}, headers=later)).json()["data"]
    assert [r["id"] for r in rounds] == [r["id"] for r in reversed(played)][:10]
    for entry in rounds:
        fair = entry["fairness"]
        assert (
            fairness.draw(fair["server_seed"], fair["client_seed"], fair["nonce"])
            == entry["number"]
        )
        assert entry["bets"][0]["type"] == "even"
        assert entry["created_at"]
        assert (entry["currency"], entry["minor_units"]) == ("EUR", 2)
    assert [r["fairness"]["nonce"] for r in rounds] == list(range(11, 1, -1))
    table = (await client.get(TABLE, headers=later)).json()
    assert table["last_numbers"] == [r["number"] for r in reversed(played)]
    bad = await client.get(ROUNDS, params={"limit": 0}, headers=later)
    assert bad.status_code == 400
    unknown = await client.get(ROUNDS, params={"page": 2}, headers=later)
    assert unknown.json()["error"]["code"] == "parameter_unknown"


async def test_an_ended_session_answers_seed_000s_511_body(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    auth = await seat(client, partner)
    assert (await client.get(TABLE, headers=auth)).status_code == 200
    token = auth["Authorization"].removeprefix("Bearer ")
    async with session_scope(sessions) as session:
        await session.execute(
            update(PlaySession)
            .where(PlaySession.token_hash == hash_token(token))
            .values(idle_expires_at=utcnow() - timedelta(seconds=1))
        )
    # The ended session is what the answer is about, whatever else is wrong with the request.
    malformed = {**auth, "Content-Type": "application/json"}
    for call in (
        client.get(TABLE, headers=auth),
        spin(client, auth, [{"type": "red", "amount": 100}]),
        client.get(ROUNDS, headers=auth),
        client.get(ROUNDS, params={"foo": "1"}, headers=auth),
        client.get(TABLE, params={"foo": "1"}, headers=auth),
        client.post(SPINS, content=b"{", headers=malformed),
        client.post(SPINS, content=b"x", headers={**auth, "Content-Type": "text/plain"}),
        client.get(TABLE),
        client.get(TABLE, headers={"Authorization": "Bearer pss_forged"}),
    ):
        response = await call
        assert response.status_code == 401
        assert response.json() == SESSION_EXPIRED_511
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_other_products_sessions_cannot_sit_at_the_table(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    launch = await create_launch(client, partner, launch_body("slot"))
    auth = await open_link(client, launch)
    response = await client.get(TABLE, headers=auth)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_product"


async def test_malformed_spin_bodies_get_native_errors(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = await seat(client, partner)
    red = [{"type": "red", "amount": 100}]
    as_json = {"Content-Type": "application/json"}
    as_text = {"Content-Type": "text/plain"}
    bad = "parameter_invalid"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"content": b"{", "headers": as_json}, 400, "body_malformed"),
        ({"content": b"x", "headers": as_text}, 415, "unsupported_media_type"),
        ({"json": {"round_id": "r", "bets": []}}, 400, bad),
        ({"json": {"bets": red}}, 400, "parameter_missing"),
        ({"json": {"round_id": "a:b", "bets": red}}, 400, bad),
        ({"json": {"round_id": "r", "client_seed": "has:colon", "bets": red}}, 400, bad),
    ]
    for kwargs, status, code in cases:
        headers = {**auth, **kwargs.pop("headers", {})}
        response = await client.post(SPINS, headers=headers, **kwargs)
        assert response.status_code == status, (kwargs, response.text)
        assert response.json()["error"]["code"] == code


async def test_a_seed_000_launch_plays_at_the_table(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    created = await client.post(
        "/1.0/request_session",
        data={
            "TokenId": partner.token,
            "ClientId": str(partner.id),
            "UserId": "238",
            "UserName": "estarly93",
            "UserEmail": "estarly@example.com",
        },
    )
    accepted = created.json()["url"]
    location = (await client.get(accepted)).headers["location"]
    auth = {"Authorization": "Bearer " + location.split("#session=", 1)[1]}
    response = await spin(client, auth, [{"type": "black", "amount": 100}])
    assert response.status_code == 200, response.text


async def test_a_luckymonaco_table_launch_plays_at_the_table(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    created = await client.post(
        "/api/session",
        params={"MEMB_ID": partner.id, "HASH": partner.token},
        json={
            "uuid": str(uuid.uuid4()),
            "gametype": "table",
            "gameid": "roulette",
            "player": {
                "id": "lm-" + uuid.uuid4().hex[:6],
                "nickname": "estarly93",
                "language": "en",
                "currency": "USD",
                "session": {"id": "s1", "ip": "203.0.113.7"},
            },
        },
    )
    assert created.status_code == 200, created.text
    location = (await client.get(created.json()["url"])).headers["location"]
    page = await client.get(location.split("#", 1)[0])
    assert 'src="/static/roulette.js"' in page.text
    auth = {"Authorization": "Bearer " + location.split("#session=", 1)[1]}
    table = (await client.get(TABLE, headers=auth)).json()
    assert (table["currency"], table["balance"]) == ("USD", default_terms("USD").demo_credit)
