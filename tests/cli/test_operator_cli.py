"""`portero webhook …` and `portero rounds purge`, run as an operator would, against SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from portero.kit.clock import utcnow
from portero.rounds.models import GameRound, RoundStatus
from portero.wallet.models import WalletEntry
from tests.cli.conftest import run
from tests.support.db import inspecting
from tests.support.factories import create_launch, launch_body, make_partner, open_link


def new_partner(cli: CliRunner) -> str:
    return str(json.loads(run(cli, "partner", "create", "Hooks", "--json"))["id"])


def test_an_operator_adds_lists_and_removes_endpoints(cli: CliRunner) -> None:
    partner = new_partner(cli)
    url = "https://93.184.216.34/hooks"
    made = json.loads(
        run(cli, "webhook", "add", url, "--partner", partner, "--event", "round.settled", "--json")
    )
    assert made["secret"].startswith("whsec_")
    assert made["enabled_events"] == ["round.settled"]
    listed = run(cli, "webhook", "list", "--partner", partner)
    assert made["id"] in listed
    assert "enabled" in listed
    assert made["secret"] not in listed
    shown = json.loads(run(cli, "webhook", "list", "--partner", partner, "--json"))
    assert [e["id"] for e in shown] == [made["id"]]
    assert shown[0]["secret"] is None
    run(cli, "webhook", "remove", made["id"], "--partner", partner)
    assert "No webhook endpoints." in run(cli, "webhook", "list", "--partner", partner)
    assert "No such webhook endpoint" in run(
        cli, "webhook", "remove", made["id"], "--partner", partner, code=1
    )


def test_bad_endpoints_are_refused_cleanly(cli: CliRunner) -> None:
    partner = new_partner(cli)
    refused = run(cli, "webhook", "add", "http://127.0.0.1/x", "--partner", partner, code=1)
    assert "public addresses" in refused
    run(cli, "webhook", "add", "https://93.184.216.34/", "--partner", partner,
        "--event", "round.won", code=2)  # fmt: skip
    assert "No partner" in run(cli, "webhook", "add", "https://93.184.216.34/",
                               "--partner", "999999", code=1)  # fmt: skip


async def test_the_purge_removes_old_closed_rounds_only(
    cli: CliRunner, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    partner = await make_partner(sessions)
    auth = await open_link(client, await create_launch(client, partner, launch_body("slot")))
    ids = []
    for _ in range(4):
        spun = await client.post(
            "/play/api/slots/spins", json={"spin_id": uuid.uuid4().hex, "bet": 100}, headers=auth
        )
        ids.append(spun.json()["spin"]["id"])
    old = utcnow() - timedelta(days=200)
    async with inspecting(sessions) as session:
        await session.execute(
            update(GameRound).where(GameRound.id.in_(ids[:3])).values(created_at=old)
        )
        await session.execute(
            update(GameRound).where(GameRound.id == ids[2]).values(status=RoundStatus.failed)
        )
        await session.execute(
            update(WalletEntry)
            .where(WalletEntry.reference.in_([f"slot:{i}" for i in ids[:2]]))
            .values(created_at=old)
        )
        await session.commit()
    refused = await asyncio.to_thread(
        run, cli, "rounds", "purge", "--older-than-days", "30", "--yes", code=2
    )
    assert "kept at least 124 days" in refused
    done = await asyncio.to_thread(run, cli, "rounds", "purge", "--older-than-days", "150", "--yes")
    assert "Removed" in done
    async with inspecting(sessions) as session:
        left = set((await session.scalars(select(GameRound.id).where(GameRound.id.in_(ids)))).all())
        entries = await session.scalar(
            select(func.count()).where(WalletEntry.reference.in_([f"slot:{i}" for i in ids[:2]]))
        )
    assert left == {ids[2], ids[3]}  # the failed one waits for an operator, the new one stays
    assert entries == 0
    again = await asyncio.to_thread(
        run, cli, "rounds", "purge", "--older-than-days", "150", "--yes"
    )
    assert "Removed 0 rounds" in again  # a purge stopped or repeated is safe
