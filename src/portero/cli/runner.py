"""Running one unit of work from the command line, with the same sessions as the server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.db import create_engine, create_sessionmaker, session_scope
from portero.kit.errors import PorteroError
from portero.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except ValueError as error:
        typer.secho(f"Invalid configuration: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


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
