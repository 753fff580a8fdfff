"""What a newcomer meets first, as separate `portero` processes in a scratch directory: the
schema's first migration and the next, a database that cannot be used, an empty call list,
the links `portero serve` hands out following where it serves, and the event loop it runs on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from portero.cli.main import served_url
from tests.support.browsing import free_port

pytestmark = pytest.mark.slow  # processes of their own, each importing Portero
SECRET = "s" * 40


def portero(
    workdir: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    environment = _environment(env)
    done = subprocess.run(
        [sys.executable, "-m", "portero", *args],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    """This environment without Portero's own settings (a newcomer has none), plus `extra`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTERO_")}
    return clean | (extra or {})


def test_the_first_migration_says_what_it_did_and_the_next_that_nothing_was_due(
    tmp_path: Path,
) -> None:
    first = portero(tmp_path, "migrate").stdout
    assert first.startswith("Applied ")
    assert "migrations; the schema is now at " in first
    assert portero(tmp_path, "migrate").stdout == "The database schema was already up to date.\n"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://portero:secret@127.0.0.1:1/portero", "Connect call failed"),
        ("sqlite+aiosqlite:////proc/no/such/dir/portero.db", ""),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_and_exit_code_1(
    tmp_path: Path, url: str, reason: str
) -> None:
    env = {"PORTERO_DATABASE_URL": url, "PORTERO_SECRET_KEY": SECRET}
    for command in (["migrate"], ["serve", "--port", str(free_port())]):
        done = portero(tmp_path, *command, env=env, check=False)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("Cannot use the database at ")
        assert reason in lines[0]
        assert "secret" not in lines[0]  # the password is not printed


def test_an_empty_call_list_says_so(tmp_path: Path) -> None:
    portero(tmp_path, "migrate")
    partner = json.loads(portero(tmp_path, "partner", "create", "Uno", "--json").stdout)
    listed = portero(tmp_path, "calls", "list", "--partner", str(partner["id"])).stdout
    assert listed == "No calls yet.\n"


def test_the_address_links_point_at_is_where_serve_listens() -> None:
    assert served_url("127.0.0.1", 18431) == "http://127.0.0.1:18431"
    assert served_url("0.0.0.0", 80) == "http://127.0.0.1:80"  # noqa: S104 (what it maps)
    assert served_url("::", 8000) == "http://[::1]:8000"
    assert served_url("portero.local", 8080) == "http://portero.local:8080"


def test_links_follow_the_port_serve_was_given(tmp_path: Path) -> None:
    portero(tmp_path, "migrate")
    partner = json.loads(portero(tmp_path, "partner", "create", "Uno", "--json").stdout)
    portero(tmp_path, "partner", "configure", str(partner["id"]), "--products", "roulette")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "portero", "serve", "--port", str(port), "--no-migrate"],
        cwd=tmp_path,
        env=_environment(None),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(base_url, server)
        response = httpx.post(
            f"{base_url}/v1/launches",
            headers={"Authorization": f"Bearer {partner['token']}"},
            json={"product": "roulette", "player": {"id": "p1"}},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        assert response.json()["url"].startswith(f"{base_url}/launch/")
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(("option", "loop"), [((), "uvloop"), (("--loop", "asyncio"), "asyncio")])
def test_serve_runs_on_the_event_loop_it_was_given(
    tmp_path: Path, option: tuple[str, ...], loop: str
) -> None:
    portero(tmp_path, "migrate")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "portero", "serve", "--port", str(port), "--no-migrate",
             *option],
            cwd=tmp_path,
            env=_environment({"PORTERO_LOG_LEVEL": "INFO"}),
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert [line["event_loop"] for line in lines if line["message"] == "serving"] == [loop]


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)  # bounded: polling a process's port until it listens
    raise AssertionError("the server did not answer within 60 s")
