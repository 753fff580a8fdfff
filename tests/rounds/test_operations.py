"""Around seamless rounds: which sid each API's launches send, the metrics of wallet calls and
deliveries, and `portero worker` delivering on its own."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.delivery import repository as deliveries
from portero.delivery.engine import Tried, Verdict
from portero.delivery.models import Delivery
from portero.delivery.repository import Claimed
from portero.http.runtime import Runtime
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.kit.logging import configure_logging
from portero.launches.models import Launch
from portero.launches.opening import PlayContext
from portero.rounds import wallet_calls
from portero.rounds.models import RoundStatus
from portero.settings import Settings
from portero.wallet.sandbox import FaultKind, FaultPlan
from tests.conftest import TEST_SECRET
from tests.rounds.conftest import calls_of, drain, round_of, run_engine, sit
from tests.support.db import inspecting
from tests.support.factories import PartnerFixture, create_launch, launch_body
from tests.support.sandbox import RunningSandbox


def context(**wallet: str | None) -> PlayContext:
    now = utcnow()
    values = {"wallet_sid": None, "partner_session_id": None} | wallet
    return PlayContext(
        session_id="ps_1", launch_id="lnch_1", partner_id=1, product="slot", params={},
        language="en", currency="EUR", player_key=1, player_id="p", nickname=None, name=None,
        return_url=None, expires_at=now, idle_expires_at=now, wallet_mode="seamless", **values,
    )  # fmt: skip


def test_the_sid_is_the_wallets_then_the_partners_then_the_launch() -> None:
    assert wallet_calls.wallet_sid(context(wallet_sid="w", partner_session_id="p")) == "w"
    assert wallet_calls.wallet_sid(context(partner_session_id="p")) == "p"
    assert wallet_calls.wallet_sid(context()) == "lnch_1"  # seed 000: no partner session


async def test_each_api_keeps_the_partners_session_id_with_the_launch(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    native = await create_launch(
        client, partner, launch_body("slot") | {"partner_session_id": "native-s1"}
    )
    seed_001 = await client.post(
        f"/api/session?MEMB_ID={partner.id}&HASH={partner.token}",
        json={"uuid": str(uuid.uuid4()), "gametype": "slot", "gameid": "monaco-nights",
              "player": {"id": "p001", "nickname": "n", "language": "en", "currency": "EUR",
                         "session": {"id": "lucky-s1", "ip": "203.0.113.7"}}},
    )  # fmt: skip
    assert seed_001.status_code == 200, seed_001.text
    async with inspecting(sessions) as session:
        kept = dict(
            (
                await session.execute(
                    select(Launch.id, Launch.partner_session_id).where(
                        Launch.partner_id == partner.id
                    )
                )
            ).all()
        )
    assert kept[native["id"]] == "native-s1"
    assert "lucky-s1" in kept.values()


async def test_wallet_calls_and_deliveries_are_counted(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    faults: FaultPlan,
    runtime: Runtime,
) -> None:
    calls = ("portero_wallet_calls_total", {"method": "debit", "outcome": "OK"})
    before = REGISTRY.get_sample_value(*calls) or 0
    auth, _player = await sit(client, partner)
    faults.kinds, faults.methods, faults.rate = (
        (FaultKind.http_500_before,),
        frozenset({"credit"}),
        1.0,
    )
    spun = await client.post(
        "/play/api/slots/spins", json={"spin_id": "m1", "bet": 100}, headers=auth
    )
    assert spun.status_code == 200
    assert REGISTRY.get_sample_value(*calls) == before + 1
    await runtime.deliveries.update_gauges()
    pending = REGISTRY.get_sample_value(
        "portero_deliveries", {"kind": "wallet.credit", "status": "pending"}
    )
    assert pending is not None
    assert pending >= 1
    text = (await client.get("/metrics")).text
    assert 'portero_wallet_calls_total{method="credit",outcome="http_500"}' in text
    assert "portero_wallet_call_duration_seconds_bucket" in text
    faults.rate = 0.0
    await drain(runtime)  # leave nothing due for the tests that count what the engine does


async def test_portero_worker_delivers_what_is_due(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    faults: FaultPlan,
    sandbox: RunningSandbox,
    runtime: Runtime,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    auth, _player = await sit(client, partner)
    faults.kinds, faults.methods, faults.rate = (
        (FaultKind.http_500_before,),
        frozenset({"credit"}),
        1.0,
    )
    spun = (
        await client.post("/play/api/slots/spins", json={"spin_id": "w1", "bet": 100}, headers=auth)
    ).json()
    faults.rate = 0.0
    round_id = spun["spin"]["id"]
    assert (await round_of(sessions, round_id)).status == RoundStatus.crediting
    async with inspecting(sessions) as session:  # as if the first retry's minute had passed
        await session.execute(
            update(Delivery)
            .where(Delivery.subject_id == round_id, Delivery.kind == "wallet.credit")
            .values(next_attempt_at=utcnow())
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTERO_")} | {
        "PORTERO_DATABASE_URL": settings.database_url,
        "PORTERO_SECRET_KEY": TEST_SECRET,
        "PORTERO_WALLET_TIMEOUT_SECONDS": "1",
    }
    with (tmp_path / "worker.log").open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "portero", "worker", "--poll", "0.1",
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        settled = await asyncio_wait_settled(sessions, round_id)
    finally:
        worker.terminate()
        await asyncio.wait_for(worker.wait(), 10)
    assert settled, (tmp_path / "worker.log").read_text()
    assert worker.returncode == 0  # SIGTERM stops it cleanly
    credits = [t for t in sandbox.wallet.snapshot()["transactions"] if t["round"] == round_id]
    assert [(t["kind"], t["state"]) for t in credits] == [
        ("debit", "applied"),
        ("credit", "applied"),
    ]
    assert {c.status for c, _tries in await calls_of(sessions, round_id)} == {"done"}


async def asyncio_wait_settled(sessions: async_sessionmaker[AsyncSession], round_id: str) -> bool:
    """Whether the round settled within 15 s (the worker's doing: nothing else delivers)."""
    for _ in range(150):
        if (await round_of(sessions, round_id)).status == RoundStatus.settled:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_no_wallet_call_logs_the_auth_token(
    client: httpx.AsyncClient, partner: PartnerFixture, sandbox: RunningSandbox
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    seen: list[str] = []
    configure_logging("DEBUG", json_output=False)  # as verbose as a server can be made
    catcher = logging.Handler()
    catcher.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    root.addHandler(catcher)
    try:
        auth, _player = await sit(client, partner)
        spun = await client.post(
            "/play/api/slots/spins", json={"spin_id": "log", "bet": 100}, headers=auth
        )
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert spun.status_code == 200
    assert seen  # the run did log, at every level
    assert not [line for line in seen if sandbox.auth_token in line or "authToken" in line]


class Faulty:
    """A handler whose every try fails on Portero's side (as a bug would)."""

    def __init__(self) -> None:
        self.given_up: list[str] = []

    async def send(self, claimed: Claimed) -> Tried:
        raise RuntimeError("a bug")

    async def settle(
        self, session: AsyncSession, claimed: Claimed, tried: Tried, *, last_try: bool
    ) -> Verdict:  # pragma: no cover (never reached: send fails)
        return Verdict.done

    async def give_up(self, session: AsyncSession, claimed: Claimed, note: str) -> None:
        self.given_up.append(note)


async def test_a_fault_of_portero_s_own_spends_the_schedule_instead_of_looping(
    runtime: Runtime, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    faulty = Faulty()
    runtime.deliveries.register("test.faulty", faulty)
    subject = "rnd_" + uuid.uuid4().hex[:26]
    async with session_scope(sessions) as session:
        await deliveries.add(
            session, id="dlv_" + uuid.uuid4().hex[:26], partner_id=partner.id,
            kind="test.faulty", subject_id=subject, payload={}, due_at=utcnow(), now=utcnow(),
        )  # fmt: skip
    for step in range(1, 6):  # the first try, then the three retries of the schedule: 4 passes
        await run_engine(runtime, after_seconds=61 * step)
    calls = await calls_of(sessions, subject)
    ((call, tries),) = calls
    assert call.status == "failed"
    assert [t.outcome for t in tries] == ["internal_error"] * 4
    assert {t.detail for t in tries} == {"RuntimeError"}
    assert len(faulty.given_up) == 1
