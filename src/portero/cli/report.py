"""`portero report daily`: a partner's rounds of one UTC day (what `GET /v1/reports/daily`
answers), for every partner with rounds that day unless told one; with `--plot`, the GGR per
day over a range, drawn into a PNG file."""

from __future__ import annotations

import csv
import enum
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli.runner import run_in_transaction
from portero.dialects.native.report_schemas import DailyReportOut, ReportFiguresOut
from portero.kit.errors import InvalidField
from portero.partners.models import Partner
from portero.reports import daily as reports
from portero.reports.daily import DailyReport, DailySeries, Figures
from portero.wallet.currency import to_major

app = typer.Typer(
    help="Reports on partners' rounds: the daily GGR report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

DAY_FORMATS = ["%Y-%m-%d"]
PLOT_DAYS = 30  # the default range of --plot: the 30 days ending --date
PROGRESS_ABOVE = 30  # days of series: longer ranges show a progress bar
FIGURES = list(ReportFiguresOut.model_fields)  # rounds, players, stakes, …, open
AMOUNTS = frozenset({"stakes", "payouts", "ggr"})
HEADINGS = {"failed_wallet_calls": "failed calls"}


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


Day = Annotated[datetime, typer.Option("--date", formats=DAY_FORMATS, help="The UTC day")]
Reports = list[tuple[Partner, DailyReport]]


@app.command("daily")
def daily(
    day: Day,
    partner: Annotated[
        int | None, typer.Option("--partner", help="The partner's id (default: every partner)")
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
    plot: Annotated[
        Path | None, typer.Option(help="Draw the GGR per day into this PNG file")
    ] = None,
    first: Annotated[
        datetime | None,
        typer.Option("--from", formats=DAY_FORMATS, help="First day of the plot"),
    ] = None,
    last: Annotated[
        datetime | None,
        typer.Option("--to", formats=DAY_FORMATS, help="Last day of the plot (default --date)"),
    ] = None,
) -> None:
    """Rounds created on one UTC day, per game and currency, then per currency: settled
    rounds, their distinct players, stakes, payouts, GGR (stakes - payouts), cancelled rounds,
    failed wallet calls, and rounds still open or failed. Amounts in major units in the table,
    in minor units in csv and json. Without --partner, every partner with rounds that day."""
    wanted = day.date()
    span = _plot_span(wanted, plot, first, last)

    async def work(session: AsyncSession) -> tuple[Reports, list[DailySeries]]:
        found = await reports.reports_of_day(session, partner_id=partner, day=wanted)
        drawn = await _series(session, partner, span) if span else []
        return found, drawn

    found, drawn = run_in_transaction(work)
    if output is Format.json:
        _print_json(found, single=partner is not None)
    elif output is Format.csv:
        typer.echo(_csv(found), nl=False)
    else:
        _print_tables(found, wanted)
    if plot is not None and span is not None:
        _plot(plot, drawn, span, by_partner=partner is None)
        typer.echo(f"Plot written to {plot}", err=True)


def _plot_span(
    day: date, plot: Path | None, first: datetime | None, last: datetime | None
) -> tuple[date, date] | None:
    """The days --plot draws (checked before anything is read), or None without --plot."""
    if plot is None:
        if first is not None or last is not None:
            _usage("--from and --to go with --plot")
        return None
    if not plot.parent.is_dir():
        _usage(f"No directory {plot.parent} for the plot")
    to = last.date() if last is not None else day
    since = first.date() if first is not None else to - timedelta(days=PLOT_DAYS - 1)
    try:
        reports.series_days(since, to)
    except InvalidField as error:
        _usage(str(error).replace("to: ", "--to: ", 1))
    return since, to


def _usage(message: str) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(2)


async def _series(
    session: AsyncSession, partner: int | None, span: tuple[date, date]
) -> list[DailySeries]:
    first, last = span
    owners = await reports.series_partners(session, partner_id=partner, first=first, last=last)
    days = (last - first).days + 1
    drawn = []
    with _progress(days * len(owners), shown=days > PROGRESS_ABOVE) as tick:
        for owner in owners:
            drawn.append(await reports.daily_series(session, owner, first, last, progress=tick))
    return drawn


@contextmanager
def _progress(length: int, *, shown: bool) -> Iterator[Callable[[], None]]:
    if not shown or length == 0:
        yield lambda: None
        return
    with typer.progressbar(length=length, label="Adding up the days", file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _print_json(found: Reports, *, single: bool) -> None:
    if single:
        typer.echo(DailyReportOut.of(found[0][1]).model_dump_json(indent=2))
        return
    listed = [
        {"partner_id": partner.id} | DailyReportOut.of(report).model_dump(mode="json")
        for partner, report in found
    ]
    typer.echo(json.dumps(listed, indent=2))


def _csv(found: Reports) -> str:
    """One line per (partner, game, currency), then the partner's totals per currency (kind
    `total`, no game); amounts in minor units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "partner_id", "kind", "game_id", "currency", *FIGURES])
    for partner, report in found:
        day = report.day.isoformat()
        for row in report.rows:
            values = ReportFiguresOut.values(row.figures)
            writer.writerow([day, partner.id, "game", row.game_id, row.currency, *values.values()])
        for total in report.totals:
            values = ReportFiguresOut.values(total.figures)
            writer.writerow([day, partner.id, "total", "", total.currency, *values.values()])
    return out.getvalue()


def _print_tables(found: Reports, day: date) -> None:
    if not found:
        typer.echo(f"No rounds on {day.isoformat()} (UTC).")
    for index, (partner, report) in enumerate(found):
        if index:
            typer.echo("")
        typer.secho(
            f"Partner #{partner.id} {partner.name}: rounds of {day.isoformat()} (UTC)", bold=True
        )
        if not report.rows:
            typer.echo("No rounds.")
            continue
        lines = [
            [row.game_id, row.currency, *_cells(row.figures, row.currency)] for row in report.rows
        ]
        lines += [["total", t.currency, *_cells(t.figures, t.currency)] for t in report.totals]
        typer.echo(_aligned([["game", "currency", *map(_heading, FIGURES)], *lines]))


def _heading(name: str) -> str:
    return HEADINGS.get(name, name)


def _cells(figures: Figures, currency: str) -> list[str]:
    values = ReportFiguresOut.values(figures)
    return [
        f"{to_major(value, currency):,}" if name in AMOUNTS else str(value)
        for name, value in values.items()
    ]


def _aligned(lines: list[list[str]]) -> str:
    """Text columns to the left, figures to the right, two spaces apart."""
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    )


def _plot(
    path: Path, drawn: list[DailySeries], span: tuple[date, date], *, by_partner: bool
) -> None:
    import matplotlib  # slow to import: only this option needs it

    matplotlib.use("Agg")
    from matplotlib import pyplot

    first, last = span
    count = (last - first).days + 1
    figure, axes = pyplot.subplots(figsize=(10, 5))
    for series in drawn:
        for currency, values in series.ggr.items():
            label = f"#{series.partner_id} {currency}" if by_partner else currency
            major = [float(to_major(value, currency)) for value in values]
            axes.plot(range(count), major, marker="o", markersize=3, label=label)
    axes.axhline(0, color="#888888", linewidth=0.8)
    axes.set_xlim(-0.5, count - 0.5)
    ticks = list(range(0, count, max(1, -(-count // 12))))  # at most a dozen dates
    axes.set_xticks(ticks, [(first + timedelta(days=n)).isoformat() for n in ticks])
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_xlabel("UTC day")
    axes.set_ylabel("GGR (stakes - payouts), major units")
    axes.set_title(f"GGR per day, {first.isoformat()} to {last.isoformat()}")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(title="partner, currency" if by_partner else "currency")
    else:
        axes.text(0.5, 0.5, "no settled rounds", transform=axes.transAxes, ha="center")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
