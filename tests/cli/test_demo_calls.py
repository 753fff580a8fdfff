"""Every call `portero demo` prints (what `make serve` shows a newcomer), pasted into bash as
printed and run against a live server and the sandbox wallet: each answers as its comment
says, none with an error. The placeholders a newcomer fills in (LAUNCH_ID, AGENT_CODE) are
filled from the answers of the calls before them, as a newcomer would."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.conftest import run
from tests.conftest import make_settings
from tests.support.live import live_server
from tests.support.sandbox import sandbox_server

pytestmark = pytest.mark.slow  # a server, the sandbox and some twenty processes
STATUS = re.compile(r"@@(\d{3})@@")


def pasted_commands(printed: str) -> list[str]:
    """The shell commands in the demo's output, each as a newcomer would paste it: from a
    line that starts one to where its quotes and line continuations end."""
    commands, current = [], ""
    for line in printed.splitlines():
        if not current and not line.startswith(("curl ", ".venv/bin/portero ")):
            continue
        current += line + "\n"
        if line.endswith("\\"):
            continue
        try:
            shlex.split(current)
        except ValueError:  # a quote still open: the command goes on
            continue
        commands.append(current.rstrip("\n"))
        current = ""
    assert not current, f"a command never ends: {current}"
    return commands


def _answers(command: str, cwd: Path) -> tuple[list[int], str]:
    """Run `command` in bash; the HTTP status of each curl in it, and what it printed."""
    timed = command.replace("curl -s ", "curl -s -w '\\n@@%{http_code}@@\\n' ")
    done = subprocess.run(
        ["bash", "-c", timed], cwd=cwd, capture_output=True, text=True, timeout=60,
        env=os.environ.copy(), check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}\n{done.stderr}"
    return [int(code) for code in STATUS.findall(done.stdout)], STATUS.sub("", done.stdout)


def test_every_printed_call_answers_as_pasted(
    cli: CliRunner, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(database_url, secret_key="s" * 40)
    token = "sandbox-token-of-the-demo"
    (tmp_path / "var").mkdir(exist_ok=True)
    (tmp_path / "var" / "sandbox-token").write_text(token)
    # `.venv/bin/portero` as printed, from the directory a newcomer runs it in.
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "portero").symlink_to(Path(sys.executable).parent / "portero")
    with sandbox_server(auth_token=token) as sandbox, live_server(settings) as server:
        monkeypatch.setenv("PORTERO_PUBLIC_URL", server.base_url)
        monkeypatch.setenv("PORTERO_DEMO_SANDBOX_URL", sandbox.base_url)
        commands = pasted_commands(run(cli, "demo"))
        assert len(commands) >= 18
        filled: dict[str, str] = {}
        for command in commands:
            for placeholder, value in filled.items():
                command = command.replace(placeholder, value)
            assert "LAUNCH_ID" not in command or "LAUNCH_ID" in filled, command
            statuses, output = _answers(command, tmp_path)
            if "curl " in command:
                assert statuses, command
                assert all(200 <= status < 300 for status in statuses), (command, output)
                assert '"error"' not in output, (command, output)
            if "/v1/launches " in command + " " and "LAUNCH_ID" not in filled:
                filled["LAUNCH_ID"] = json.loads(output)["id"]
            if " agent add " in command:
                filled["AGENT_CODE"] = output.split()[1]
        assert set(filled) == {"LAUNCH_ID", "AGENT_CODE"}
