"""The daily report (GET /v1/reports/daily) on both databases: recomputed from GET /v1/rounds
over the same UTC day, it must agree figure by figure."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery.models import Delivery
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.errors import InvalidField
from portero.kit.ids import new_id
from portero.reports.daily import MAX_SERIES_DAYS, daily_report, daily_series
from portero.rounds.models import GameRound
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
)

DAY = date(2026, 3, 14)
REPORT = "/v1/reports/daily"
ROUNDS = "/v1/rounds"
FIGURES = ("rounds", "players", "stakes", "payouts", "ggr", "cancelled", "failed_wallet_calls")
RED = [{"type": "red", "amount": 200}]
PLAYED = 22  # rounds play() plays
STRAIGHT = [{"type": "straight", "numbers": [17], "amount": 100}]


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=UTC)


async def sit(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    product: str,
    player: str,
    currency: str,
    game_id: str = "monaco-nights",
) -> dict[str, str]:
    body = launch_body(product, **({"params": {"game_id": game_id}} if product == "slot" else {}))
    body["player"] |= {"id": player, "currency": currency}
    return await open_link(client, await create_launch(client, partner, body))


async def slot_spins(client: httpx.AsyncClient, auth: dict[str, str], count: int) -> None:
    levels = (await client.get("/play/api/slots/game", headers=auth)).json()["bet_levels"]
    for n in range(count):
        body = {"spin_id": uuid.uuid4().hex, "bet": levels[n % 2]}
        response = await client.post("/play/api/slots/spins", json=body, headers=auth)
        assert response.status_code == 200, response.text


async def roulette_spins(
    client: httpx.AsyncClient, auth: dict[str, str], count: int, bets: list[dict[str, Any]]
) -> None:
    for _ in range(count):
        body = {"round_id": uuid.uuid4().hex, "bets": bets}
        response = await client.post("/play/api/roulette/spins", json=body, headers=auth)
        assert response.status_code == 200, response.text


async def play(client: httpx.AsyncClient, partner: PartnerFixture) -> None:
    """Slots and roulette in EUR and JPY; `ana` plays three games in EUR (distinct players
    per currency are fewer than the rows' sum)."""
    suffix = uuid.uuid4().hex[:6]
    ana, ben, cai, dai = (f"{name}-{suffix}" for name in ("ana", "ben", "cai", "dai"))
    await slot_spins(client, await sit(client, partner, "slot", ana, "EUR"), 4)
    await slot_spins(client, await sit(client, partner, "slot", ben, "EUR"), 3)
    await slot_spins(client, await sit(client, partner, "slot", ana, "EUR", "jade-ways"), 3)
    await roulette_spins(client, await sit(client, partner, "roulette", ana, "EUR"), 3, RED)
    await roulette_spins(client, await sit(client, partner, "roulette", cai, "EUR"), 2, STRAIGHT)
    await slot_spins(client, await sit(client, partner, "slot", dai, "JPY"), 4)
    await roulette_spins(client, await sit(client, partner, "roulette", dai, "JPY"), 3, RED)


NEVER = datetime(2999, 1, 1, tzinfo=UTC)


def call(played: GameRound, method: str, status: str, outcome: str | None) -> dict[str, Any]:
    """A delivery row of a seamless round's wallet call."""
    return {
        "id": new_id("dlv"),
        "partner_id": played.partner_id,
        "kind": f"wallet.{method}",
        "subject_id": played.id,
        "payload": {"method": method, "transaction_id": new_id("wtx")},
        "status": status,
        "attempts": 3,
        # A pending call is never due: the database is shared by the whole run, and another
        # test's delivery engine must not try a call to a wallet this partner does not have.
        "next_attempt_at": NEVER if status == "pending" else played.created_at,
        "last_outcome": outcome,
        "created_at": played.created_at,
        "updated_at": played.created_at,
    }


# Where the rounds go, by their order of play: (created_at, status, wallet calls) for the
# first ones; the rest are settled on DAY, a minute apart from 01:00.
MOVES: list[tuple[datetime, str | None, list[tuple[str, str, str | None]]]] = [
    (at(DAY), None, []),  # the day's first instant is in it
    (at(DAY, 23, 59, 59, 999_999), None, []),
    (at(DAY - timedelta(days=1), 23, 59, 59, 999_999), None, []),  # the day before
    (at(DAY + timedelta(days=1)), None, []),  # the next day's first instant is not
    (at(DAY - timedelta(days=1), 12), "failed", [("debit", "failed", "timeout")]),
    (at(DAY, 2), "cancelled", []),
    (at(DAY, 3), "cancelled", [("debit", "failed", "timeout")]),
    (at(DAY, 4), "failed", [("debit", "done", "OK"), ("credit", "failed", "http 500")]),
    (at(DAY, 5), "crediting", [("debit", "done", "OK"), ("credit", "pending", None)]),
    (at(DAY, 6), "cancelling", [("debit", "failed", "timeout"), ("cancel", "pending", None)]),
    (at(DAY, 7), "debiting", [("debit", "pending", None)]),
    (at(DAY + timedelta(days=1), 1), "cancelled", []),
]


async def spread(sessions: async_sessionmaker[AsyncSession], partner: PartnerFixture) -> None:
    """Move the partner's rounds onto DAY and its neighbours, some of them to other states
    with the calls to the partner's wallet that would have put them there."""
    async with inspecting(sessions) as session:
        query = (
            select(GameRound)
            .where(GameRound.partner_id == partner.id)
            .order_by(GameRound.created_at, GameRound.id)
        )
        played = list((await session.scalars(query)).all())
        assert len(played) == PLAYED
        for index, found in enumerate(played):
            when, status, calls = MOVES[index] if index < len(MOVES) else (None, None, [])
            values: dict[str, Any] = {"created_at": when or at(DAY, 1, index)}
            if status is not None:
                values |= {"status": status, "wallet_mode": "seamless"}
            await session.execute(
                update(GameRound).where(GameRound.id == found.id).values(**values)
            )
            found.created_at = values["created_at"]
            for method, state, outcome in calls:
                await session.execute(
                    insert(Delivery).values(**call(found, method, state, outcome))
                )
        await session.commit()


@dataclass
class Recount:
    rounds: int = 0
    stakes: int = 0
    payouts: int = 0
    cancelled: int = 0
    failed_wallet_calls: int = 0
    open: int = 0
    players: set[str] = field(default_factory=set)

    def figures(self) -> dict[str, int]:
        return {
            "rounds": self.rounds,
            "players": len(self.players),
            "stakes": self.stakes,
            "payouts": self.payouts,
            "ggr": self.stakes - self.payouts,
            "cancelled": self.cancelled,
            "failed_wallet_calls": self.failed_wallet_calls,
            "open": self.open,
        }


def window(day: date) -> dict[str, str]:
    return {
        "created[gte]": f"{day.isoformat()}T00:00:00Z",
        "created[lt]": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
    }


async def listed(
    client: httpx.AsyncClient, partner: PartnerFixture, day: date, *, limit: int = 100
) -> list[dict[str, Any]]:
    """Every round of the day, page by page."""
    params: dict[str, Any] = window(day) | {"limit": limit}
    found: list[dict[str, Any]] = []
    while True:
        response = await client.get(ROUNDS, params=params, headers=partner.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["data"]
        if not page["has_more"]:
            return found
        params["starting_after"] = page["data"][-1]["id"]


def recount(rounds: list[dict[str, Any]]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The report's rows and totals, recomputed from listed rounds."""
    rows: dict[tuple[str, str], Recount] = defaultdict(Recount)
    totals: dict[str, Recount] = defaultdict(Recount)
    for found in rounds:
        for counted in (rows[found["game_id"], found["currency"]], totals[found["currency"]]):
            if found["status"] == "settled":
                counted.rounds += 1
                counted.stakes += found["stake"]
                counted.payouts += found["payout"]
                counted.players.add(found["player_id"])
            elif found["status"] == "cancelled":
                counted.cancelled += 1
            else:
                counted.open += 1
            failed = [t for t in found["transactions"] if t["status"] == "failed"]
            counted.failed_wallet_calls += len(failed)
    return (
        {key: counted.figures() for key, counted in rows.items()},
        {key: counted.figures() for key, counted in totals.items()},
    )


async def report(client: httpx.AsyncClient, partner: PartnerFixture, day: date) -> dict[str, Any]:
    response = await client.get(REPORT, params={"date": day.isoformat()}, headers=partner.auth)
    assert response.status_code == 200, response.text
    answered: dict[str, Any] = response.json()
    return answered


def keyed(answered: dict[str, Any]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The rows by (game, currency) and the totals by currency, their figures only."""
    rows = {
        (r["game_id"], r["currency"]): {
            k: v for k, v in r.items() if k not in ("game_id", "currency")
        }
        for r in answered["rows"]
    }
    totals = {
        t["currency"]: {k: v for k, v in t.items() if k != "currency"} for t in answered["totals"]
    }
    return rows, totals


@pytest.fixture
async def partner(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> PartnerFixture:
    """A partner whose rounds are spread over DAY and its neighbours."""
    made = await make_partner(sessions)
    await play(client, made)
    await spread(sessions, made)
    return made


async def test_the_report_is_what_the_listed_rounds_of_the_day_add_up_to(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    answered = await report(client, partner, DAY)
    assert (answered["object"], answered["date"], answered["timezone"]) == (
        "daily_report",
        DAY.isoformat(),
        "UTC",
    )
    assert [(r["game_id"], r["currency"]) for r in answered["rows"]] == sorted(
        (r["game_id"], r["currency"]) for r in answered["rows"]
    )
    rounds = await listed(client, partner, DAY)
    assert rounds == await listed(client, partner, DAY, limit=7)  # the same, in pages
    assert len(rounds) == len({r["id"] for r in rounds}) == PLAYED - 4  # 4 on other days
    assert keyed(answered) == recount(rounds)
    rows, totals = keyed(answered)
    assert {currency for _, currency in rows} == {"EUR", "JPY"}
    assert {game for game, _ in rows} == {"monaco-nights", "jade-ways", "roulette"}
    everything = {name: sum(t[name] for t in totals.values()) for name in FIGURES}
    assert everything["cancelled"] == 2
    assert everything["failed_wallet_calls"] == 3  # the day before's is not counted
    assert sum(t["open"] for t in totals.values()) == 4  # failed, crediting, cancelling, debiting


async def test_every_day_agrees_with_its_listing(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    for day in (DAY - timedelta(days=1), DAY + timedelta(days=1)):
        answered = await report(client, partner, day)
        assert answered["rows"], day
        assert keyed(answered) == recount(await listed(client, partner, day))


async def test_totals_are_the_sum_of_the_rows_with_players_distinct(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    rows, totals = keyed(await report(client, partner, DAY))
    for currency, total in totals.items():
        mine = [row for (_, row_currency), row in rows.items() if row_currency == currency]
        for name in (*FIGURES, "open"):
            if name != "players":
                assert total[name] == sum(row[name] for row in mine), (currency, name)
        assert max(row["players"] for row in mine) <= total["players"]
        assert total["players"] <= sum(row["players"] for row in mine)
        assert total["ggr"] == total["stakes"] - total["payouts"]
    # ana played three EUR games: counted once in the EUR total.
    assert totals["EUR"]["players"] < sum(r["players"] for (_, c), r in rows.items() if c == "EUR")


async def test_another_partners_rounds_never_appear(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = await report(client, partner, DAY)
    other = await make_partner(sessions)
    auth = await sit(client, other, "slot", "ana-other", "GBP", "fruit-royale")
    await slot_spins(client, auth, 2)
    async with inspecting(sessions) as session:
        await session.execute(
            update(GameRound).where(GameRound.partner_id == other.id).values(created_at=at(DAY, 9))
        )
        await session.commit()
    assert await report(client, partner, DAY) == before
    theirs = await report(client, other, DAY)
    assert [(r["game_id"], r["currency"], r["rounds"]) for r in theirs["rows"]] == [
        ("fruit-royale", "GBP", 2)
    ]
    assert keyed(theirs) == recount(await listed(client, other, DAY))


async def test_a_day_without_rounds_or_to_come_is_empty(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    for day in (DAY - timedelta(days=30), utcnow().date() + timedelta(days=400)):
        answered = await report(client, partner, day)
        assert (answered["rows"], answered["totals"]) == ([], [])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "parameter_missing"),
        ({"date": ""}, "parameter_invalid"),
        ({"date": "yesterday"}, "parameter_invalid"),
        ({"date": "2026-02-30"}, "parameter_invalid"),
        ({"date": "2026-3-14"}, "parameter_invalid"),
        ({"date": "0"}, "parameter_invalid"),
        ({"date": "1773446400"}, "parameter_invalid"),
        ({"date": "2026-03-14T00:00:00Z"}, "parameter_invalid"),
        ({"date": "9999-12-31"}, "parameter_invalid"),
    ],
)
async def test_a_bad_date_is_the_native_400(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    params: dict[str, str],
    code: str,
) -> None:
    made = await make_partner(sessions)
    response = await client.get(REPORT, params=params, headers=made.auth)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, "date")
    assert error["message"]


async def test_only_the_date_is_a_parameter_and_the_partner_must_authenticate(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    made = await make_partner(sessions)
    params = {"date": DAY.isoformat(), "currency": "EUR"}
    response = await client.get(REPORT, params=params, headers=made.auth)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "parameter_unknown"
    unauthenticated = await client.get(REPORT, params={"date": DAY.isoformat()})
    assert unauthenticated.status_code == 401


async def test_the_series_is_each_days_ggr_and_is_bounded(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, last = DAY - timedelta(days=2), DAY + timedelta(days=1)
    ticks: list[None] = []
    async with session_scope(sessions) as session:
        series = await daily_series(
            session, partner.id, first, last, progress=lambda: ticks.append(None)
        )
        reports = [
            await daily_report(session, partner_id=partner.id, day=day) for day in series.days
        ]
    assert series.days == [first + timedelta(days=n) for n in range(4)]
    assert len(ticks) == 4
    assert set(series.ggr) == {"EUR", "JPY"}
    for index, day_report in enumerate(reports):
        ggr = {total.currency: total.figures.ggr for total in day_report.totals}
        for currency, values in series.ggr.items():
            assert values[index] == ggr.get(currency, 0)
    assert series.ggr["EUR"][0] == 0  # nothing that day
    async with session_scope(sessions) as session:
        with pytest.raises(InvalidField):
            await daily_series(session, partner.id, DAY, DAY + timedelta(days=MAX_SERIES_DAYS))
        with pytest.raises(InvalidField):
            await daily_series(session, partner.id, DAY, DAY - timedelta(days=1))
        year = await daily_series(
            session, partner.id, DAY - timedelta(days=MAX_SERIES_DAYS - 1), DAY
        )
    assert len(year.days) == MAX_SERIES_DAYS
