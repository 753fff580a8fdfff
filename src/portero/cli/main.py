"""`portero`: serve, migrate, manage partners and launches, print a demo."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli import call_records, calls, partners, roulette, slots
from portero.cli import demo as demo_command
from portero.cli.runner import run_in_transaction, settings_or_exit
from portero.kit.clock import utcnow
from portero.launches import repository as launch_repository
from portero.launches import sweeper
from portero.migrate import upgrade

app = typer.Typer(
    help="Portero: one-time launch links for partners' users.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(partners.app, name="partner")
launches = typer.Typer(
    help="Launch housekeeping.", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(launches, name="launches")
app.command("demo")(demo_command.demo)
app.add_typer(calls.categories, name="category")
app.add_typer(calls.agents, name="agent")
app.add_typer(call_records.app, name="calls")
app.add_typer(roulette.app, name="roulette")
app.add_typer(slots.app, name="slots")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = settings_or_exit()
    upgrade(settings.database_url)
    typer.echo("Database schema is up to date.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Migrate the database, then serve the HTTP API and pages."""
    settings = settings_or_exit()
    _ = settings.signing_key  # fail here, before forking workers, if the key is missing
    if migrate_first:
        upgrade(settings.database_url)
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portero-metrics-")
    uvicorn.run(
        "portero.app:build",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,  # Portero applies PORTERO_TRUSTED_PROXIES itself
        access_log=False,
        log_config=None,
        server_header=False,
    )


@launches.command("purge-expired")
def purge_expired(
    older_than_hours: Annotated[
        float, typer.Option(help="Keep expired launches younger than this", min=0)
    ] = 24.0,
) -> None:
    """Record expiries, then delete never-opened launches expired longer ago than the cut."""

    async def mark(session: AsyncSession) -> tuple[int, int]:
        return await sweeper.sweep_once(session)

    expired, ended = run_in_transaction(mark)
    typer.echo(f"Marked {expired} launches expired and ended {ended} timed-out sessions.")
    cut = utcnow() - timedelta(hours=older_than_hours)
    total = 0
    while True:

        async def delete_batch(session: AsyncSession) -> int:
            return await launch_repository.delete_expired(session, expired_before=cut)

        deleted = run_in_transaction(delete_batch)
        total += deleted
        if deleted:
            typer.echo(f"  deleted {total} launches so far…")
        if deleted == 0:
            break
    typer.echo(f"Deleted {total} expired launches.")


if __name__ == "__main__":
    app()
