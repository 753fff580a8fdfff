"""Browser tests' parts: headless Chromium, a real Portero server process, a partner site.

The partner page is served on another site (http://localhost:P2) than Portero
(http://127.0.0.1:P), so the product page runs in a cross-site iframe, as it does in production.

Third-party cookies: Chromium has no command-line switch that reliably blocks them for the
contexts Playwright drives (`--test-third-party-cookie-phaseout` is ignored there), so each
browser gets a profile whose preferences set `profile.cookie_controls_mode` (the "Block
third-party cookies" setting of chrome://settings/cookies; 1 = block, 0 = allow). A probe cookie
written from inside the iframe checks that the setting took effect. Blocking third-party
cookies also denies the frame its sessionStorage, so that run exercises the page's
token-in-the-fragment path; the run with cookies allowed exercises the sessionStorage path.
Portero sets no cookie at all for play sessions, which the tests check too.

Needs Chromium at /usr/bin/chromium (Playwright's own browser download is not used). Without it
the tests are skipped, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import html
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from playwright.sync_api import BrowserContext, Frame, Page
from playwright.sync_api import expect as pw_expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 5_000  # every browser wait
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SECRET = "browser-test-secret-" + "0" * 32
NICKNAME = "estarly93"
USED_TITLE_ES = "Este enlace ya se ha usado"

_page_numbers = count(1)


def watch_problems(page: Page) -> list[str]:
    """The page's script errors and console errors, as they happen (a test asserts none)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


def until(page: Page | Frame, script: str, seconds: float = 10) -> None:
    """Until `script` holds in the page, polled (the pages' CSP forbids wait_for_function's
    eval), bounded in time."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"not within {seconds:g} s: {script}"
        page.wait_for_timeout(50)


def require_browser() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = f"browser tests need {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- Portero, as a real server process -------------------------------------------------------


@dataclass
class Portero:
    base_url: str
    env: dict[str, str]
    partner_id: int = 0
    partner_token: str = ""
    log: Path | None = None  # where the server writes, shown when a test of it fails

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "portero", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"portero {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def calls(self) -> list[dict[str, Any]]:
        """The partner's call records (`GET /v1/calls`), newest first."""
        answer = httpx.get(
            f"{self.base_url}/v1/calls",
            headers={"Authorization": f"Bearer {self.partner_token}"},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["data"]
        return found

    def native_link(self, body: dict[str, Any]) -> str:
        """The link of a launch made through the native API with `body`."""
        response = httpx.post(
            f"{self.base_url}/v1/launches",
            headers={"Authorization": f"Bearer {self.partner_token}"},
            json=body,
            timeout=5,
        )
        assert response.status_code == 201, response.text
        url: str = response.json()["url"]
        return url

    def new_launch_url(self) -> str:
        response = httpx.post(
            f"{self.base_url}/v1/launches",
            headers={"Authorization": f"Bearer {self.partner_token}"},
            json={
                "product": "roulette",
                "player": {"id": "p1", "nickname": NICKNAME, "language": "es"},
            },
            timeout=5,
        )
        assert response.status_code == 201, response.text
        url: str = response.json()["url"]
        assert url.startswith(f"{self.base_url}/launch/"), url
        return url


def wait_until_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    for _ in range(150):  # ~15 s at most
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        try:
            code = process.wait(timeout=0.1)  # the pause between tries; also notices a crash
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"portero serve exited with {code}:\n{log.read_text()[-3000:]}")
    pytest.fail(f"portero serve never became ready:\n{log.read_text()[-3000:]}")


@contextmanager
def serving(
    env: dict[str, str], port: int, log: Path, *options: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`portero serve` on 127.0.0.1:port with `env` (and more `options` of the command),
    ready when entered, stopped on exit."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "portero",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                *options,
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}", log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- The partner's site, on another origin ---------------------------------------------------


class _PartnerHandler(BaseHTTPRequestHandler):
    server: _PartnerServer

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path)
        if body is None:
            self.send_response(HTTPStatus.NOT_FOUND if self.path != "/favicon.ico" else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body.encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _PartnerServer(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, str]


@dataclass
class PartnerSite:
    """Pages embedding Portero links. The same server answers as two origins: `origin`
    (http://localhost:P2, the one the partner configured) and `outsider`
    (http://127.0.0.1:P2, which nobody allowed to frame product pages)."""

    server: _PartnerServer
    thread: threading.Thread
    origin: str = field(init=False)
    outsider: str = field(init=False)

    def __post_init__(self) -> None:
        port = self.server.server_address[1]
        self.origin = f"http://localhost:{port}"
        self.outsider = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls) -> PartnerSite:
        server = _PartnerServer(("127.0.0.1", 0), _PartnerHandler)
        server.pages = {}
        thread = threading.Thread(target=server.serve_forever, name="partner-site", daemon=True)
        thread.start()
        return cls(server=server, thread=thread)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def page_embedding(
        self,
        launch_url: str,
        *,
        origin: str | None = None,
        size: tuple[int, int] = (480, 360),
        allow: str | None = None,
    ) -> str:
        """`allow`: the iframe's permissions policy (a call page needs "camera; microphone")."""
        path = f"/casino-{next(_page_numbers)}.html"
        width, height = size
        allowed = f" allow='{html.escape(allow)}'" if allow else ""
        self.server.pages[path] = (
            "<!doctype html><html lang='es'><head><meta charset='utf-8'>"
            "<title>Casino de prueba</title></head><body><h1>Casino de prueba</h1>"
            f"<iframe id='game' src='{html.escape(launch_url)}' width='{width}' "
            f"height='{height}'{allowed}></iframe></body></html>"
        )
        return f"{origin or self.origin}{path}"


# --- Browsers ---------------------------------------------------------------------------------


class OpenBrowser(Protocol):
    def __call__(
        self, *, block_third_party_cookies: bool = True, args: Sequence[str] = ()
    ) -> BrowserContext: ...


def game_frame(page: Page) -> Frame:
    frame = page.locator("iframe#game").element_handle().content_frame()
    assert frame is not None
    return frame


def is_product_page(portero: Portero, url: str) -> bool:
    return url.startswith(f"{portero.base_url}/play/") and "/play/api/" not in url


def frame_ancestors(csp: str) -> set[str]:
    for directive in csp.split(";"):
        name, *sources = directive.split()
        if name == "frame-ancestors":
            return set(sources)
    raise AssertionError(f"no frame-ancestors in {csp!r}")


def storage_state(frame: Frame) -> str:
    return str(
        frame.evaluate(
            "() => { try { return 'items:' + sessionStorage.length; }"
            " catch (error) { return error.name; } }"
        )
    )


def open_in_partner_iframe(page: Page, portero: Portero, url: str) -> Frame:
    """Load the partner page embedding `url` and wait until the game shows the player."""
    with page.expect_response(
        lambda r: r.url.startswith(f"{portero.base_url}/play/api/session")
    ) as api:
        page.goto(url)
    assert api.value.status == 200
    frame = game_frame(page)
    pw_expect(frame.locator("#ready")).to_be_visible()
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)
    return frame
