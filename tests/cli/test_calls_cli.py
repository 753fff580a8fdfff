"""`portero category|agent|calls …`: the call product's directory and records from the command
line, against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from portero.calls import routing
from tests.cli.conftest import run
from tests.support.call_desk import CallDesk
from tests.support.factories import make_partner


def new_partner(cli: CliRunner) -> str:
    return str(json.loads(run(cli, "partner", "create", "Llamadas", "--json"))["id"])


class TestDirectory:
    def test_categories_are_listed_newest_first(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        assert run(cli, "category", "list", "--partner", partner) == ""
        codes = [
            json.loads(run(cli, "category", "add", "--partner", partner, name, "--json"))["code"]
            for name in ("Ventas", "Soporte")
        ]
        assert run(cli, "category", "list", "--partner", partner).splitlines() == [
            f"{codes[1]}\tSoporte",
            f"{codes[0]}\tVentas",
        ]
        listed = json.loads(run(cli, "category", "list", "--partner", partner, "--json"))
        assert [(c["object"], c["code"], c["name"]) for c in listed] == [
            ("call_category", codes[1], "Soporte"),
            ("call_category", codes[0], "Ventas"),
        ]
        assert "No partner with id 999999" in run(
            cli, "category", "list", "--partner", "999999", code=1
        )

    def test_agents_are_added_with_a_capacity_listed_and_updated(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        sales, support = [
            json.loads(run(cli, "category", "add", "--partner", partner, name, "--json"))["code"]
            for name in ("Ventas", "Soporte")
        ]
        agent = json.loads(
            run(
                cli, "agent", "add", "--partner", partner, "Ana",
                "--category", sales, "--capacity", "3", "--json",
            )
        )  # fmt: skip
        assert (agent["categories"], agent["capacity"]) == ([sales], 3)
        code = agent["code"]
        assert run(cli, "agent", "list", "--partner", partner).splitlines() == [
            f"{code}\toffline\tcapacity 3\tAna\t{sales}"
        ]
        updated = run(
            cli, "agent", "update", code, "--partner", partner,
            "--name", "Ana María", "--category", support, "--category", sales,
            "--capacity", "2",
        )  # fmt: skip
        assert updated == f"Agent {code} (Ana María): capacity 2, {sales},{support}\n"
        [listed] = json.loads(run(cli, "agent", "list", "--partner", partner, "--json"))
        assert listed["object"] == "agent"
        assert (listed["name"], listed["capacity"]) == ("Ana María", 2)
        assert listed["categories"] == [sales, support]
        assert listed["presence"] == "offline"
        cleared = json.loads(
            run(cli, "agent", "update", code, "--partner", partner, "--no-categories", "--json")
        )
        assert (cleared["categories"], cleared["name"], cleared["capacity"]) == (
            [],
            "Ana María",
            2,
        )

    def test_update_refusals(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        code = json.loads(run(cli, "agent", "add", "--partner", partner, "Ana", "--json"))["code"]
        update = ("agent", "update", code, "--partner", partner)
        assert "no category nope" in run(cli, *update, "--category", "nope", code=1)
        run(cli, *update, "--capacity", "0", code=2)
        run(cli, *update, "--capacity", "11", code=2)
        run(cli, *update, "--category", "x", "--no-categories", code=2)
        missing = "00000000-0000-4000-8000-000000000000"
        output = run(cli, "agent", "update", missing, "--partner", partner, "--name", "X", code=1)
        assert f"no agent {missing}" in output
        other = new_partner(cli)
        run(cli, "agent", "update", code, "--partner", other, "--name", "X", code=1)
        assert "\tAna\t" in run(cli, "agent", "list", "--partner", partner)
        run(cli, "agent", "add", "--partner", partner, "Bea", "--capacity", "11", code=2)

    def test_names_that_would_mislead_an_agent_are_refused(self, cli: CliRunner) -> None:
        partner = new_partner(cli)
        # A right-to-left override turns "Ana\u202egnp.exe" into "Anaexe.png" on screen.
        for command in (("category", "add"), ("agent", "add")):
            output = run(cli, *command, "--partner", partner, "Ana\u202egnp.exe", code=1)
            assert "U+202E" in output
        code = json.loads(run(cli, "agent", "add", "--partner", partner, "Ana", "--json"))["code"]
        update = ("agent", "update", code, "--partner", partner, "--name", "Bob\u200b")
        assert "U+200B" in run(cli, *update, code=1)
        assert "\tAna\t" in run(cli, "agent", "list", "--partner", partner)


class TestCallRecords:
    async def test_calls_list_shows_the_latest_calls(
        self,
        cli: CliRunner,
        sessions: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
    ) -> None:
        partner = await make_partner(sessions, products=["call"])
        desk = CallDesk(sessions=sessions, client=client, partner=partner)
        ana = await desk.agent("Ana")
        answered = await desk.customer("Abraham", agent_code=ana.code)
        desk.later(2)
        await desk.run(
            lambda s, o: routing.accept(s, o, agent_id=ana.id, call_id=answered, now=desk.now)
        )
        waiting = await desk.customer("Bea")

        def calls(*args: str) -> str:
            return run(cli, "calls", "list", "--partner", str(partner.id), *args)

        lines = (await asyncio.to_thread(calls)).splitlines()
        assert [line.split("\t")[:2] for line in lines] == [
            [waiting, "waiting"],
            [answered, "connected"],
        ]
        assert lines[1].split("\t")[3:] == ["Abraham", "Ana", "-"]
        shown = json.loads(await asyncio.to_thread(calls, "--status", "connected", "--json"))
        assert [c["id"] for c in shown] == [answered]
        assert shown[0]["agent"] == {"code": ana.code, "name": "Ana"}
        assert shown[0]["customer"]["name"] == "Abraham"
        assert [o["outcome"] for o in shown[0]["offers"]] == ["accepted"]
        assert await asyncio.to_thread(calls, "--status", "missed") == "No such calls.\n"
        limited = await asyncio.to_thread(calls, "--limit", "1", "--json")
        assert [c["id"] for c in json.loads(limited)] == [waiting]
        by_agent = await asyncio.to_thread(calls, "--agent", ana.code, "--json")
        assert [c["id"] for c in json.loads(by_agent)] == [answered]
        refused = await asyncio.to_thread(run, cli, "calls", "list", "--partner",
                                          str(partner.id), "--status", "lost", code=2)  # fmt: skip
        assert "lost" in refused


def test_a_wallboard_link_from_the_command_line_opens_the_wallboard(cli: CliRunner) -> None:
    partner = new_partner(cli)
    run(cli, "partner", "configure", partner, "--products", "call")
    made = json.loads(
        run(cli, "wallboard", "link", "sara", "--partner", partner, "--name", "Sara", "--json")
    )
    assert made["url"].split("/launch/")[1]
    assert made["launch_id"].startswith("lnch_")
    # A partner without the call product has no wallboard.
    other = new_partner(cli)
    run(cli, "partner", "configure", other, "--products", "roulette")
    refused = run(cli, "wallboard", "link", "sara", "--partner", other, code=1)
    assert "call" in refused
