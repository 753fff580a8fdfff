"""The CLI run in-process against the test database, from a scratch working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portero.cli.main import app


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("PORTERO_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTERO_SECRET_KEY", "s" * 40)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output
