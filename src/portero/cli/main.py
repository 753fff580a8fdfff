"""`portero`: serve, migrate, manage partners and launches, print a demo."""

from __future__ import annotations

import os
import tempfile
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli import (
    call_records,
    calls,
    partners,
    report,
    roulette,
    rounds,
    slots,
    wallboard,
    wallet,
    webhooks,
    worker,
)
from portero.cli import demo as demo_command
from portero.cli.runner import migrate_or_exit, run_in_transaction, settings_or_exit
from portero.kit.clock import utcnow
from portero.launches import repository as launch_repository
from portero.launches import sweeper
from portero.ops.scrape import MetricsListener
from portero.settings import Settings, SettingsError

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
app.command("worker")(worker.worker)
app.add_typer(calls.categories, name="category")
app.add_typer(calls.agents, name="agent")
app.add_typer(call_records.app, name="calls")
app.add_typer(roulette.app, name="roulette")
app.add_typer(slots.app, name="slots")
app.add_typer(wallet.app, name="wallet")
app.add_typer(wallboard.app, name="wallboard")
app.add_typer(report.app, name="report")
app.add_typer(rounds.app, name="rounds")
app.add_typer(webhooks.app, name="webhook")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = settings_or_exit()
    applied = migrate_or_exit(settings)
    if not applied:
        typer.echo("The database schema was already up to date.")
    else:
        many = "migration" if len(applied) == 1 else "migrations"
        typer.echo(f"Applied {len(applied)} {many}; the schema is now at {applied[-1]}.")


class EventLoop(StrEnum):
    """The event loop a server process runs on (uvicorn's `--loop`)."""

    auto = "auto"  # uvloop, installed with Portero
    uvloop = "uvloop"
    asyncio = "asyncio"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Serve /metrics on this port only (PORTERO_METRICS_PORT)"
        ),
    ] = None,
    metrics_host: Annotated[
        str | None,
        typer.Option(help="Address of the metrics port (PORTERO_METRICS_HOST, 127.0.0.1)"),
    ] = None,
    loop: Annotated[
        EventLoop,
        typer.Option(
            help="Event loop: uvloop serves a quarter more launches a second; the standard "
            "loop shares a saturated process's time more evenly (docs/operations.md)"
        ),
    ] = EventLoop.auto,
) -> None:
    """Migrate the database, then serve the HTTP API and pages."""
    # Through the environment, so that the workers (which read it) agree with this process.
    for name, value in (
        ("PORTERO_METRICS_PORT", metrics_port),
        ("PORTERO_METRICS_HOST", metrics_host),
    ):
        if value is not None:
            os.environ[name] = str(value)
    # Links point where this serves, unless the deployment says where it is reached.
    os.environ.setdefault("PORTERO_PUBLIC_URL", served_url(host, port))
    settings = settings_or_exit()
    try:  # here, before forking workers: without a usable key, or with a weak metrics token
        _ = settings.signing_key, settings.metrics_token_digest
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    if migrate_first:
        migrate_or_exit(settings)
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portero-metrics-")
    with _metrics_port(settings):
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
            loop=loop.value,
        )


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches `host`:`port` at (a wildcard address
    is reached on loopback)."""
    reached = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in reached:  # an IPv6 literal
        reached = f"[{reached}]"
    return f"http://{reached}:{port}"


def _metrics_port(settings: Settings) -> AbstractContextManager[object]:
    """The metrics on a port of their own, when configured (see ops/scrape.py)."""
    host, port = settings.metrics_host, settings.metrics_port
    if port is None:
        return nullcontext()
    try:
        listener = MetricsListener.bind(host, port, settings.metrics_token_digest)
    except OSError as error:
        typer.secho(f"Cannot serve the metrics on {host}:{port}: {error}", fg="red", err=True)
        raise typer.Exit(1) from None
    return listener.serving()


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
