"""The seamless round's single-statement steps on PostgreSQL (rounds/pg_seamless.py): a round
the wallet confirms sends nothing through SQLAlchemy for its money, and a step it does not
cover is taken by seamless.py with nothing half-written. The rounds' other tests (test_seamless,
test_crash_points, test_chaos) run every step on this path too, on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.rounds import seamless
from portero.rounds.errors import WalletUnavailable
from portero.rounds.models import RoundStatus
from tests.rounds.conftest import calls_of, round_of, sit
from tests.rounds.test_crash_points import a_spin
from tests.support.factories import PartnerFixture
from tests.support.statements import statements_sent

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """PostgreSQL only: on SQLite every step is seamless.py's."""
    return postgres_url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""), timeout=5)
    yield connection
    await connection.close()


async def test_a_confirmed_round_sends_sqlalchemy_nothing_about_its_money(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    auth, _player = await sit(client, partner)
    with statements_sent(runtime.engine) as sent:
        response = await client.post(
            "/play/api/slots/spins", json={"spin_id": "fast-1", "bet": 200}, headers=auth
        )
    assert response.status_code == 200, response.text
    money = [s for s in sent if "game_round" in s or "delivery" in s or "partner" in s]
    assert money == []
    played = await round_of(sessions, response.json()["spin"]["id"])
    assert (played.status, played.stake, played.wallet_status) == (RoundStatus.settled, 200, "OK")
    assert played.balance_after == response.json()["balance"]
    calls = await calls_of(sessions, played.id)
    assert [(c.kind, c.status, c.last_outcome, c.claim_token) for c, _ in calls] == [
        ("wallet.debit", "done", "OK", None),
        ("wallet.credit", "done", "OK", None),
    ]
    assert [[(t.number, t.by, t.outcome, t.http_status) for t in tries] for _, tries in calls] == [
        [(1, "inline", "OK", 200)],
        [(1, "inline", "OK", 200)],
    ]


async def test_an_endpoint_enabled_during_the_round_gets_its_event(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    database: asyncpg.Connection,
) -> None:
    """The session said "no webhooks"; an endpoint enabled before the credit is recorded owes
    the round's event: the last step is left to seamless.py, which records it."""
    context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert isinstance(step, seamless.Step)
    assert step.fast is not None
    step = await seamless.after_debit(
        runtime, context, game, step, await seamless.send_debit(runtime, step)
    )
    await database.execute(
        "INSERT INTO webhook_endpoint (id, partner_id, url, enabled_events, status, secret,"
        " created_at, updated_at) VALUES ('we_midround', $1, 'https://example.com/hook',"
        " '[\"*\"]', 'enabled', '\\x00', now(), now())",
        partner.id,
    )
    try:
        played = await seamless.after_credit(
            runtime, step, await seamless.send_credit(runtime, step)
        )
        assert played.round.status == RoundStatus.settled
        events = await database.fetch(
            "SELECT type FROM webhook_event WHERE partner_id = $1 AND data::jsonb ->> 'id' = $2",
            partner.id,
            played.round.id,
        )
        assert [event["type"] for event in events] == ["round.settled"]
    finally:
        await database.execute("DELETE FROM webhook_endpoint WHERE id = 'we_midround'")
    assert (await round_of(sessions, played.round.id)).status == RoundStatus.settled


async def test_a_round_closed_by_hand_before_the_debit_is_recorded_plays_nothing(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    database: asyncpg.Connection,
) -> None:
    """An operator closed the round while its debit was on its way: the debit's try is
    recorded and its delivery closed, the round keeps what the operator decided, and the
    player hears that the wallet could not be used."""
    context, game = await a_spin(runtime, client, partner)
    step = await seamless.begin(runtime, context, game)
    assert isinstance(step, seamless.Step)
    assert step.fast is not None
    debit = await seamless.send_debit(runtime, step)
    await database.execute(
        "UPDATE game_round SET status = 'cancelled', note = 'by hand' WHERE id = $1",
        step.round_id,
    )
    with pytest.raises(WalletUnavailable):
        await seamless.after_debit(runtime, context, game, step, debit)
    played = await round_of(sessions, step.round_id)
    assert (played.status, played.note, played.outcome) == (RoundStatus.cancelled, "by hand", None)
    calls = await calls_of(sessions, step.round_id)
    assert [(c.kind, c.status, len(tries)) for c, tries in calls] == [("wallet.debit", "done", 1)]
