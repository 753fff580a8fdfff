"""`portero partner wallet` and `portero wallet …` (transfers, failed rounds), run as an
operator would, against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from portero.cli.main import app
from portero.kit.clock import utcnow
from portero.launches.models import Launch
from portero.partners.models import Partner
from portero.rounds.models import GameRound
from tests.cli.conftest import run
from tests.support.db import inspecting
from tests.support.factories import create_launch, make_partner

TOKEN = "wallet-secret-" + "x" * 20 + "9z8y"


def new_partner(cli: CliRunner) -> str:
    return str(json.loads(run(cli, "partner", "create", "Monedas", "--json"))["id"])


def seamless(cli: CliRunner, partner: str, *extra: str, code: int = 0) -> str:
    return run(
        cli,
        "partner",
        "wallet",
        partner,
        "--mode",
        "seamless",
        "--url",
        "https://wallet.example/onewallet/",
        "--auth-token",
        TOKEN,
        *extra,
        code=code,
    )


class TestPartnerWallet:
    def test_demo_is_the_default_and_seamless_needs_its_endpoint(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        shown = json.loads(run(cli, "partner", "show", partner, "--json"))
        assert shown["wallet"]["mode"] == "demo"
        refused = run(cli, "partner", "wallet", partner, "--mode", "seamless", code=1)
        assert "--url and --auth-token" in refused
        run(cli, "partner", "wallet", partner, "--url", "ftp://wallet.example", code=2)
        for url in ("http://wallet.example:80a", "http://user:pw@wallet.example", "http://"):
            refused = run(cli, "partner", "wallet", partner, "--url", url, code=1)
            assert "is not an http(s) base URL" in refused
        run(cli, "partner", "wallet", partner, "--timeout", "61", code=2)
        shown = json.loads(run(cli, "partner", "show", partner, "--json"))
        assert shown["wallet"] == {
            "mode": "demo",
            "url": None,
            "auth_token_hint": None,
            "timeout_seconds": None,
        }

    async def test_the_auth_token_is_sealed_and_shown_only_by_its_hint(
        self, cli: CliRunner, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        partner = await asyncio.to_thread(new_partner, cli)
        shown = await asyncio.to_thread(seamless, cli, partner, "--timeout", "3.5")
        assert TOKEN not in shown
        assert "wallet: seamless" in shown
        assert "url https://wallet.example/onewallet, auth token …9z8y, timeout 3.5s" in shown
        as_json = json.loads(
            await asyncio.to_thread(run, cli, "partner", "show", partner, "--json")
        )
        assert as_json["wallet"] == {
            "mode": "seamless",
            "url": "https://wallet.example/onewallet",
            "auth_token_hint": "…9z8y",
            "timeout_seconds": 3.5,
        }
        assert TOKEN not in json.dumps(as_json)
        async with inspecting(sessions) as session:
            query = select(Partner.wallet_token_sealed).where(Partner.id == int(partner))
            stored = (await session.execute(query)).scalar_one()
        assert stored is not None
        assert TOKEN.encode() not in stored

    def test_the_token_can_come_from_stdin(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        args = ["partner", "wallet", partner, "--mode", "seamless", "--url", "http://127.0.0.1:9"]
        result = cli.invoke(app, [*args, "--auth-token", "-"], input="from-stdin-token-abcd\n")
        assert result.exit_code == 0, result.output
        assert "auth token …abcd" in result.output

    async def test_the_mode_changes_only_between_rounds(
        self,
        cli: CliRunner,
        sessions: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
    ) -> None:
        partner = await make_partner(sessions)
        await asyncio.to_thread(seamless, cli, str(partner.id))
        launch = await create_launch(client, partner)
        now = utcnow()
        async with inspecting(sessions) as session:
            query = select(Launch.player_id).where(Launch.id == launch["id"])
            player_key = (await session.execute(query)).scalar_one()
        round_row = GameRound(
            id="rnd_" + "0" * 26,
            partner_id=partner.id,
            player_id=player_key,
            launch_id=launch["id"],
            product="roulette",
            game_id="roulette",
            request_id="in-flight",
            request_hash=b"0" * 32,
            currency="EUR",
            wallet_mode="seamless",
            status="crediting",
            stake=100,
            created_at=now,
            updated_at=now,
        )
        async with inspecting(sessions) as session:
            session.add(round_row)
        refused = await asyncio.to_thread(
            run, cli, "partner", "wallet", str(partner.id), "--mode", "demo", code=1
        )
        assert "still being settled" in refused
        # The endpoint may still change (the URL, the token, the timeout), the mode may not.
        await asyncio.to_thread(run, cli, "partner", "wallet", str(partner.id), "--timeout", "4")
        async with inspecting(sessions) as session:
            await session.execute(
                update(GameRound).where(GameRound.id == round_row.id).values(status="settled")
            )
        shown = await asyncio.to_thread(
            run, cli, "partner", "wallet", str(partner.id), "--mode", "demo"
        )
        assert "wallet: demo" in shown


class TestTransfers:
    def test_deposit_withdraw_balance_and_the_fate_of_a_transaction(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        run(cli, "wallet", "deposit", "ana", "--partner", partner, "--currency", "EUR",
            "--amount", "10", code=1)  # fmt: skip
        run(cli, "partner", "wallet", partner, "--mode", "transfer")
        deposit = run(cli, "wallet", "deposit", "ana", "--partner", partner, "--currency",
                      "eur", "--amount", "25.50", "--transaction-id", "op-1")  # fmt: skip
        assert "deposit op-1 of 25.50 EUR: completed, balance 25.50 EUR" in deposit
        refused = run(cli, "wallet", "withdraw", "ana", "--partner", partner, "--currency",
                      "EUR", "--amount", "30", "--transaction-id", "op-2", code=1)  # fmt: skip
        assert "refused" in refused
        withdrawal = json.loads(
            run(
                cli,
                "wallet",
                "withdraw",
                "ana",
                "--partner",
                partner,
                "--currency",
                "EUR",
                "--amount",
                "5.50",
                "--json",
            )
        )
        assert (withdrawal["amount"], withdrawal["balance_after"]) == (550, 2_000)
        assert run(cli, "wallet", "balance", "ana", "--partner", partner).split() == [
            "EUR",
            "20.00",
        ]
        fate = run(cli, "wallet", "transaction", "op-2", "--partner", partner)
        assert "withdrawal 30.00 EUR of ana: refused (insufficient_funds)" in fate
        run(cli, "wallet", "deposit", "ana", "--partner", partner, "--currency", "EUR",
            "--amount", "0.001", code=2)  # fmt: skip

    def test_no_failed_rounds_and_unknown_ones(self, cli: CliRunner) -> None:
        assert "No failed rounds." in run(cli, "wallet", "failures", "--partner", new_partner(cli))
        run(cli, "wallet", "retry", "rnd_" + "z" * 26, code=1)
        run(cli, "wallet", "resolve", "rnd_" + "z" * 26, "--as", "cancelled", "--note",
            "checked", code=1)  # fmt: skip
