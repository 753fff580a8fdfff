"""Running the Alembic migrations from code (CLI, `serve`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from portero.kit.db import ensure_sqlite_directory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s",
    )
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> list[str]:
    """Bring the schema up to date; the revisions applied, oldest first (none: it was).
    Blocking: call it outside a running event loop (or in a thread), because the migration
    environment runs its own."""
    if database_url.startswith("sqlite"):
        ensure_sqlite_directory(database_url)
    config = alembic_config(database_url)
    command.upgrade(config, revision)
    applied: list[str] = config.attributes.get("applied", [])
    return applied
