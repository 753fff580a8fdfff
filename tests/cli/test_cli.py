"""The `portero` command, run as a user would, against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from portero.cli.main import app
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches.models import Launch
from portero.roulette import fairness
from portero.roulette.wheel import color
from portero.slots.games import maths as slot_maths
from portero.slots.games.catalogue import games as slot_games
from tests.cli.conftest import run
from tests.support.db import inspecting
from tests.support.factories import create_launch, make_partner


class TestPartnerCommands:
    def test_create_json_prints_exactly_one_object_with_id_and_token(self, cli: CliRunner) -> None:
        created = json.loads(run(cli, "partner", "create", "Casino Uno", "--json"))
        assert isinstance(created["id"], int)
        assert created["token"].startswith("prt_")
        shown = run(cli, "partner", "show", str(created["id"]))
        assert "NOT CONFIGURED" in shown
        assert created["token"] not in shown

    def test_configure_list_disable_enable(self, cli: CliRunner) -> None:
        partner_id = str(json.loads(run(cli, "partner", "create", "Dos", "--json"))["id"])
        output = run(
            cli,
            "partner",
            "configure",
            partner_id,
            "--products",
            "roulette,slot",
            "--language",
            "ES",
            "--currency",
            "usd",
            "--launch-ttl",
            "120",
            "--session-ttl",
            "900",
            "--frame-ancestors",
            "https://dos.example",
            "--return-url",
            "https://dos.example/lobby",
            "--json",
        )
        view = json.loads(output)
        assert view["configured"] is True
        assert view["products"] == ["roulette", "slot"]
        assert (view["default_language"], view["default_currency"]) == ("es", "USD")
        assert view["launch_ttl_seconds"] == 120
        assert view["frame_ancestors"] == ["https://dos.example"]
        assert f"#{partner_id}\tactive\tconfigured" in run(cli, "partner", "list")
        run(cli, "partner", "disable", partner_id)
        assert json.loads(run(cli, "partner", "show", partner_id, "--json"))["status"] == (
            "disabled"
        )
        run(cli, "partner", "enable", partner_id)
        assert json.loads(run(cli, "partner", "show", partner_id, "--json"))["status"] == "active"

    def test_invalid_configuration_is_refused_without_a_traceback(self, cli: CliRunner) -> None:
        partner_id = str(json.loads(run(cli, "partner", "create", "Tres", "--json"))["id"])
        output = run(cli, "partner", "configure", partner_id, "--products", "poker", code=2)
        assert "products" in output
        assert "Traceback" not in output
        assert "No partner with id 999999" in run(cli, "partner", "show", "999999", code=1)

    def test_token_rotation(self, cli: CliRunner) -> None:
        created = json.loads(run(cli, "partner", "create", "Cuatro", "--json"))
        pid = str(created["id"])
        added = json.loads(run(cli, "partner", "token", "add", pid, "--json"))
        assert added["token"] != created["token"]
        run(cli, "partner", "token", "revoke", pid, created["token_id"])
        view = json.loads(run(cli, "partner", "show", pid, "--json"))
        states = {t["id"]: t["revoked_at"] is not None for t in view["tokens"]}
        assert states == {created["token_id"]: True, added["token_id"]: False}
        run(cli, "partner", "token", "revoke", pid, "tok_nope", code=1)


class TestDemoAndHousekeeping:
    def test_demo_is_created_once_and_prints_working_calls(self, cli: CliRunner) -> None:
        first = run(cli, "demo")
        second = run(cli, "demo")
        header = first.splitlines()[0]
        assert header == second.splitlines()[0]  # same partner, same stored token
        token = header.split("token ")[1]
        assert f"Authorization: Bearer {token}" in first
        for path in (
            "/v1/launches",
            "/v1/players/238",
            "/v1/rounds?limit=5",
            "/v1/reports/daily?date=",
            "/healthz",
            "/docs",
            "/1.0/request/session",
            "/api/session",
            "/cammer/generate-session",
        ):
            assert path in first
        # The second demo partner keeps its money in the sandbox wallet `make serve` runs.
        seamless = next(line for line in first.splitlines() if "(seamless:" in line)
        assert seamless in second
        assert "the sandbox at http://127.0.0.1:8001" in seamless
        assert "/_sandbox/state" in first
        shown = json.loads(run(cli, "partner", "show", seamless.split("#")[1].split()[0], "--json"))
        assert shown["wallet"]["mode"] == "seamless"
        assert shown["wallet"]["url"] == "http://127.0.0.1:8001"
        assert (Path("var") / "sandbox-token").read_text() not in first

    async def test_purge_deletes_only_long_expired_unopened_launches(
        self,
        cli: CliRunner,
        sessions: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
    ) -> None:
        partner = await make_partner(sessions)
        old, recent, opened = [await create_launch(client, partner) for _ in range(3)]
        await client.get(opened["url"])
        async with session_scope(sessions) as session:
            long_ago = utcnow() - timedelta(days=3)
            for launch in (old, opened):
                await session.execute(
                    update(Launch).where(Launch.id == launch["id"]).values(expires_at=long_ago)
                )
            await session.execute(
                update(Launch)
                .where(Launch.id == recent["id"])
                .values(expires_at=utcnow() - timedelta(hours=1))
            )
        output = await asyncio.to_thread(run, cli, "launches", "purge-expired")
        assert "Marked" in output
        assert "Deleted" in output
        async with inspecting(sessions) as session:
            remaining = {
                row.id: row.status
                for row in (
                    await session.execute(select(Launch).where(Launch.partner_id == partner.id))
                ).scalars()
            }
        assert remaining == {recent["id"]: "expired", opened["id"]: "opened"}


class TestCallDirectory:
    def test_categories_and_agents_print_their_codes(self, cli: CliRunner) -> None:
        partner_id = str(json.loads(run(cli, "partner", "create", "Cinco", "--json"))["id"])
        category = json.loads(
            run(cli, "category", "add", "--partner", partner_id, "Ventas", "--json")
        )
        assert re.fullmatch(r"[0-9a-f-]{36}", category["code"])
        agent = json.loads(
            run(
                cli,
                "agent",
                "add",
                "--partner",
                partner_id,
                "Ana",
                "--category",
                category["code"],
                "--json",
            )
        )
        assert agent["categories"] == [category["code"]]
        assert agent["code"] != category["code"]
        output = run(
            cli, "agent", "add", "--partner", partner_id, "Bea", "--category", "nope", code=1
        )
        assert "no category nope" in output


class TestCurrencyTerms:
    def test_terms_are_set_in_the_currencys_units_kept_and_reset(self, cli: CliRunner) -> None:
        partner_id = str(json.loads(run(cli, "partner", "create", "Terms", "--json"))["id"])
        view = json.loads(
            run(cli, "partner", "terms", partner_id, "eur", "--demo-credit", "250.50",
                "--min-bet", "0.10", "--max-bet", "100", "--json")
        )  # fmt: skip
        assert view["currency_terms"] == {
            "EUR": {"demo_credit": 25_050, "min_bet": 10, "max_bet": 10_000}
        }
        # Options left out keep their value; JPY has no minor unit.
        run(cli, "partner", "terms", partner_id, "EUR", "--max-bet", "200")
        run(cli, "partner", "terms", partner_id, "JPY", "--min-bet", "100", "--max-bet", "5000")
        terms = json.loads(run(cli, "partner", "show", partner_id, "--json"))["currency_terms"]
        assert terms["EUR"] == {"demo_credit": 25_050, "min_bet": 10, "max_bet": 20_000}
        # The demo credit left out is JPY's default (1,000 "euros" worth: 100,000 yen).
        assert terms["JPY"] == {"demo_credit": 100_000, "min_bet": 100, "max_bet": 5_000}
        assert "JPY: demo credit 100000, bets 100-5000" in run(cli, "partner", "show", partner_id)
        run(cli, "partner", "terms", partner_id, "EUR", "--reset")
        terms = json.loads(run(cli, "partner", "show", partner_id, "--json"))["currency_terms"]
        assert list(terms) == ["JPY"]

    @pytest.mark.parametrize(
        ("args", "problem"),
        [
            (["JPY", "--min-bet", "0.5"], "finer than the currency's minor unit"),
            (["EUR", "--min-bet", "abc"], "not a number"),
            (["XYZ", "--min-bet", "1"], "ISO 4217"),
            (["EUR", "--min-bet", "600"], "min_bet must not exceed max_bet"),
        ],
    )
    def test_bad_terms_are_refused_and_change_nothing(
        self, cli: CliRunner, args: list[str], problem: str
    ) -> None:
        partner_id = str(json.loads(run(cli, "partner", "create", "Bad terms", "--json"))["id"])
        result = cli.invoke(app, ["partner", "terms", partner_id, *args])
        assert result.exit_code == 2, result.output
        assert problem in result.output
        assert json.loads(run(cli, "partner", "show", partner_id, "--json"))["currency_terms"] == {}


class TestRouletteVerify:
    SEED = "7f" * 32

    def test_prints_the_number_and_checks_the_commitment(self, cli: CliRunner) -> None:
        commitment = fairness.commitment(self.SEED)
        number = fairness.draw(self.SEED, "player-seed", 41)
        output = run(cli, "roulette", "verify", "--server-seed", self.SEED,
                     "--client-seed", "player-seed", "--nonce", "41",
                     "--commitment", commitment.upper())  # fmt: skip
        assert f"commitment ok: SHA-256(server seed) = {commitment}" in output
        assert f"number: {number} ({color(number)})" in output

    def test_a_seed_that_does_not_match_its_commitment_fails(self, cli: CliRunner) -> None:
        output = run(cli, "roulette", "verify", "--server-seed", self.SEED,
                     "--client-seed", "c", "--nonce", "0", "--commitment", "00" * 32,
                     code=1)  # fmt: skip
        assert "MISMATCH" in output
        assert "number:" not in output

    def test_a_malformed_seed_is_a_usage_error(self, cli: CliRunner) -> None:
        output = run(cli, "roulette", "verify", "--server-seed", "xyz",
                     "--client-seed", "c", "--nonce", "0", code=2)  # fmt: skip
        assert "64 hexadecimal digits" in output


class TestSlotsReport:
    def test_report_prints_the_figures_and_draws_the_distribution(
        self, cli: CliRunner, tmp_path: Path
    ) -> None:
        game = slot_games()["fruit-royale"]
        exact = slot_maths.exact(game)
        plot = tmp_path / "fruit.png"
        output = run(cli, "slots", "report", "fruit-royale", "--plot", str(plot))
        assert f"RTP                 {exact.rtp:.6%}" in output
        assert "difference" in output
        assert f"Hit frequency       {game.published.hit_frequency:.4%}" in output
        assert f"Maximum win         {game.published.max_win:g} x bet" in output
        assert "Published           matches" in output
        assert "Win distribution" in output
        assert plot.read_bytes().startswith(b"\x89PNG")

    def test_an_unknown_game_is_a_usage_error(self, cli: CliRunner) -> None:
        assert "No game 'nope'" in run(cli, "slots", "report", "nope", code=2)

    def test_a_plot_into_a_missing_directory_is_a_usage_error(
        self, cli: CliRunner, tmp_path: Path
    ) -> None:
        target = str(tmp_path / "missing" / "plot.png")
        output = run(cli, "slots", "report", "fruit-royale", "--plot", target, code=2)
        assert "No directory" in output

    def test_list_shows_every_game(self, cli: CliRunner) -> None:
        output = run(cli, "slots", "list")
        for game_id, game in slot_games().items():
            assert game_id in output
            assert f"RTP {game.published.rtp:8.4%}" in output
            assert f"max {game.published.max_win:g}x" in output
