"""`portero report daily`, run as an operator would against the test database (SQLite and
PostgreSQL): the same figures as GET /v1/reports/daily, as a table, CSV, JSON and a plot."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner, Result

from portero.cli.main import app
from portero.reports.daily import MAX_SERIES_DAYS
from tests.reports.test_daily import DAY, keyed, play, report, spread
from tests.support.factories import PartnerFixture, make_partner

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def partner(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> PartnerFixture:
    """A partner whose rounds are spread over DAY and its neighbours."""
    made = await make_partner(sessions)
    await play(client, made)
    await spread(sessions, made)
    return made


async def invoke(cli: CliRunner, *args: str, code: int = 0) -> Result:
    result = await asyncio.to_thread(cli.invoke, app, ["report", "daily", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


async def test_csv_has_the_apis_figures_in_minor_units(
    cli: CliRunner, client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    result = await invoke(
        cli, "--date", DAY.isoformat(), "--partner", str(partner.id), "--format", "csv"
    )
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    assert lines
    assert {line["date"] for line in lines} == {DAY.isoformat()}
    assert {line["partner_id"] for line in lines} == {str(partner.id)}
    figures = [
        name
        for name in lines[0]
        if name not in ("date", "partner_id", "kind", "game_id", "currency")
    ]
    rows = {
        (line["game_id"], line["currency"]): {name: int(line[name]) for name in figures}
        for line in lines
        if line["kind"] == "game"
    }
    totals = {
        line["currency"]: {name: int(line[name]) for name in figures}
        for line in lines
        if line["kind"] == "total"
    }
    assert all(line["game_id"] == "" for line in lines if line["kind"] == "total")
    assert (rows, totals) == keyed(await report(client, partner, DAY))


async def test_json_is_the_apis_answer(
    cli: CliRunner, client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    result = await invoke(
        cli, "--date", DAY.isoformat(), "--partner", str(partner.id), "--format", "json"
    )
    assert json.loads(result.stdout) == await report(client, partner, DAY)


async def test_without_a_partner_every_partner_with_rounds_that_day(
    cli: CliRunner,
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    idle = await make_partner(sessions)  # no rounds: not reported
    result = await invoke(cli, "--date", DAY.isoformat(), "--format", "json")
    found: list[dict[str, Any]] = json.loads(result.stdout)
    ids = [each["partner_id"] for each in found]
    assert ids == sorted(ids)
    assert partner.id in ids
    assert idle.id not in ids
    mine = next(each for each in found if each["partner_id"] == partner.id)
    del mine["partner_id"]
    assert mine == await report(client, partner, DAY)
    table = await invoke(cli, "--date", DAY.isoformat())
    assert f"Partner #{partner.id} " in table.stdout
    assert f"Partner #{idle.id} " not in table.stdout
    lines = list(
        csv.DictReader(
            io.StringIO((await invoke(cli, "--date", DAY.isoformat(), "--format", "csv")).stdout)
        )
    )
    assert {line["partner_id"] for line in lines} >= {str(partner.id)}


async def test_the_table_shows_major_units_aligned(
    cli: CliRunner, client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    result = await invoke(cli, "--date", DAY.isoformat(), "--partner", str(partner.id))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Partner #{partner.id} ")
    assert f"{DAY.isoformat()} (UTC)" in lines[0]
    header = lines[1].split()
    assert header[:4] == ["game", "currency", "rounds", "players"]
    answered = await report(client, partner, DAY)
    body = lines[2:]
    assert len(body) == len(answered["rows"]) + len(answered["totals"])
    assert len({len(line) for line in lines[1:]}) == 1  # aligned: every line as wide
    eur = next(line.split() for line in body if line.startswith("total") and " EUR " in line)
    total = next(t for t in answered["totals"] if t["currency"] == "EUR")
    assert eur[2] == str(total["rounds"])
    assert eur[4] == f"{total['stakes'] / 100:,.2f}"  # EUR: 2 decimals
    jpy = next(line.split() for line in body if line.startswith("total") and " JPY " in line)
    assert jpy[4] == f"{next(t for t in answered['totals'] if t['currency'] == 'JPY')['stakes']:,}"
    empty = await invoke(
        cli, "--date", (DAY - timedelta(days=30)).isoformat(), "--partner", str(partner.id)
    )
    assert "No rounds." in empty.stdout


async def test_the_plot_is_a_png_of_the_range(
    cli: CliRunner, partner: PartnerFixture, tmp_path: Path
) -> None:
    drawn = tmp_path / "ggr.png"
    first = (DAY - timedelta(days=40)).isoformat()
    args = ["--date", DAY.isoformat(), "--partner", str(partner.id), "--format", "json"]
    result = await invoke(
        cli, *args, "--plot", str(drawn), "--from", first, "--to", DAY.isoformat()
    )
    assert json.loads(result.stdout)["date"] == DAY.isoformat()  # stdout stays the report
    assert "Adding up the days" in result.stderr  # 41 days: a progress bar
    assert f"Plot written to {drawn}" in result.stderr
    data = drawn.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    default = tmp_path / "default.png"
    quiet = await invoke(cli, "--date", DAY.isoformat(), "--plot", str(default))
    assert "Adding up the days" not in quiet.stderr  # 30 days, every partner
    assert default.read_bytes().startswith(PNG_SIGNATURE)


async def test_refusals_are_clean_messages(cli: CliRunner, tmp_path: Path) -> None:
    unknown = await invoke(cli, "--date", DAY.isoformat(), "--partner", "999999999", code=1)
    assert "No partner with id 999999999." in unknown.stderr
    await invoke(cli, "--date", "yesterday", code=2)
    await invoke(cli, "--date", DAY.isoformat(), "--format", "xml", code=2)
    alone = await invoke(cli, "--date", DAY.isoformat(), "--from", DAY.isoformat(), code=2)
    assert "--from and --to go with --plot" in alone.stderr
    plot = str(tmp_path / "p.png")
    long = (DAY - timedelta(days=MAX_SERIES_DAYS)).isoformat()
    too_long = await invoke(cli, "--date", DAY.isoformat(), "--plot", plot, "--from", long, code=2)
    assert f"at most {MAX_SERIES_DAYS} days" in too_long.stderr
    backwards = (DAY + timedelta(days=1)).isoformat()
    await invoke(cli, "--date", DAY.isoformat(), "--plot", plot, "--from", backwards, code=2)
    nowhere = await invoke(
        cli, "--date", DAY.isoformat(), "--plot", str(tmp_path / "no" / "p.png"), code=2
    )
    assert "No directory" in nowhere.stderr
    assert not (tmp_path / "p.png").exists()
