"""Running one unit of work from the command line, with the same sessions as the server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.kit.errors import PorteroError
from portero.migrate import upgrade
from portero.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except ValueError as error:
        typer.secho(f"Invalid configuration: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


def migrate_or_exit(settings: Settings) -> list[str]:
    """The schema brought up to date (the revisions applied), or one line saying why the
    database cannot be used, and exit code 1: not a driver's traceback."""
    try:
        return upgrade(settings.database_url)
    except (DBAPIError, OperationalError, OSError) as error:
        cause = error.orig if isinstance(error, DBAPIError) else error
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        typer.secho(f"Cannot use the database at {where}: {reason}", fg="red", err=True)
        raise typer.Exit(1) from None


def run_in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; a Portero error becomes a message and exit code 1."""
    settings = settings_or_exit()

    async def main() -> T:
        engine = create_engine(settings)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (PorteroError, SettingsError) as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from None
