"""`portero rounds …`: the retention of game rounds (docs/operators.md, "Retention")."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from portero.cli.runner import settings_or_exit
from portero.kit.db import create_engine, create_sessionmaker
from portero.kit.errors import PorteroError
from portero.rounds import retention

app = typer.Typer(
    help="Game rounds: retention.", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.command("purge")
def purge(
    older_than_days: Annotated[
        int, typer.Option("--older-than-days", min=1, help="Remove what is older than this")
    ],
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per transaction")] = 1000,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Remove closed rounds older than N days, with their wallet calls, their ledger entries
    and the webhook events of that age, in batches (safe to stop and run again). N may not be
    below PORTERO_ROUND_RETENTION_DAYS; open and failed rounds are always kept."""
    settings = settings_or_exit()
    try:
        before = retention.cutoff(older_than_days, settings.round_retention_days)
    except PorteroError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None

    async def main() -> retention.Purged | None:
        engine = create_engine(settings)
        sessions = create_sessionmaker(engine)
        try:
            backlog = await retention.backlog(sessions, before)
            typer.echo(
                f"Older than {before:%Y-%m-%d %H:%M} UTC: {backlog.rounds} rounds, "
                f"{backlog.entries} ledger entries, {backlog.events} webhook events."
            )
            if not backlog.total:
                return retention.Purged()
            if not yes and not typer.confirm("Remove them?"):
                return None
            with typer.progressbar(length=backlog.total, label="Purging") as bar:
                return await retention.purge(sessions, before, batch=batch, progress=bar.update)
        finally:
            await engine.dispose()

    purged = asyncio.run(main())
    if purged is None:
        typer.echo("Nothing removed.")
        raise typer.Exit(1)
    typer.echo(
        f"Removed {purged.rounds} rounds, {purged.entries} ledger entries, "
        f"{purged.events} webhook events and {purged.deliveries} webhook deliveries."
    )
