"""The play session in a real browser: headless Chromium, a real server, a partner site.

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

Needs Chromium at /usr/bin/chromium and the `playwright` package (Playwright's own browser
download is not used). Without them the tests are skipped, except under CI (CI=true), where they
fail.
"""

from __future__ import annotations

import html
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

try:
    from playwright.sync_api import (
        BrowserContext,
        Frame,
        Page,
        Playwright,
        Response,
        sync_playwright,
    )
    from playwright.sync_api import expect as pw_expect

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_PLAYWRIGHT = False

pytestmark = pytest.mark.browser

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


def _require_browser() -> None:
    missing = []
    if not HAVE_PLAYWRIGHT:
        missing.append("the playwright package (pip install playwright)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not missing:
        return
    message = "browser tests need " + " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- Portero, as a real server process -------------------------------------------------------


@dataclass
class Portero:
    base_url: str
    env: dict[str, str]
    partner_token: str = ""

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


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
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


@pytest.fixture(scope="module")
def partner_site() -> Iterator[PartnerSite]:
    _require_browser()
    site = PartnerSite.start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def portero(
    tmp_path_factory: pytest.TempPathFactory, partner_site: PartnerSite
) -> Iterator[Portero]:
    _require_browser()
    workdir = tmp_path_factory.mktemp("portero-server")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTERO_")}
    env |= {
        "PORTERO_DATABASE_URL": f"sqlite:///{workdir / 'p.db'}",
        "PORTERO_SECRET_KEY": SECRET,
        "PORTERO_PUBLIC_URL": base_url,
        "PORTERO_EXPIRY_SWEEP_SECONDS": "0",
    }
    log = workdir / "server.log"
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
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, base_url, log)
        server = Portero(base_url=base_url, env=env)
        created = json.loads(server.cli("partner", "create", "Browser test casino", "--json"))
        server.cli(
            "partner", "configure", str(created["id"]),
            "--products", "roulette,slot,call",
            "--frame-ancestors", partner_site.origin,
            "--language", "es",
        )  # fmt: skip
        server.partner_token = created["token"]
        yield server
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

    def page_embedding(self, launch_url: str, *, origin: str | None = None) -> str:
        path = f"/casino-{next(_page_numbers)}.html"
        self.server.pages[path] = (
            "<!doctype html><html lang='es'><head><meta charset='utf-8'>"
            "<title>Casino de prueba</title></head><body><h1>Casino de prueba</h1>"
            f"<iframe id='game' src='{html.escape(launch_url)}' width='480' height='360'>"
            "</iframe></body></html>"
        )
        return f"{origin or self.origin}{path}"


# --- Browsers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright_driver(partner_site: PartnerSite) -> Iterator[Playwright]:
    _require_browser()
    with sync_playwright() as driver:
        yield driver


class OpenBrowser(Protocol):
    def __call__(self, *, block_third_party_cookies: bool = True) -> BrowserContext: ...


@pytest.fixture
def open_browser(playwright_driver: Playwright, tmp_path: Path) -> Iterator[OpenBrowser]:
    """Start a browser with its own profile: a separate browser, as a second player would have."""
    contexts: list[BrowserContext] = []

    def start(*, block_third_party_cookies: bool = True) -> BrowserContext:
        profile = tmp_path / f"profile-{len(contexts)}"
        (profile / "Default").mkdir(parents=True)
        mode = 1 if block_third_party_cookies else 0
        preferences = {"profile": {"cookie_controls_mode": mode}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
        context = playwright_driver.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            locale="es-ES",
            timeout=30_000,
        )
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield start
    for context in contexts:
        context.close()


def _game_frame(page: Page) -> Frame:
    frame = page.locator("iframe#game").element_handle().content_frame()
    assert frame is not None
    return frame


def _is_product_page(portero: Portero, url: str) -> bool:
    return url.startswith(f"{portero.base_url}/play/") and "/play/api/" not in url


def _frame_ancestors(csp: str) -> set[str]:
    for directive in csp.split(";"):
        name, *sources = directive.split()
        if name == "frame-ancestors":
            return set(sources)
    raise AssertionError(f"no frame-ancestors in {csp!r}")


def _storage_state(frame: Frame) -> str:
    return str(
        frame.evaluate(
            "() => { try { return 'items:' + sessionStorage.length; }"
            " catch (error) { return error.name; } }"
        )
    )


def _open_in_partner_iframe(page: Page, portero: Portero, url: str) -> Frame:
    """Load the partner page embedding `url` and wait until the game shows the player."""
    with page.expect_response(
        lambda r: r.url.startswith(f"{portero.base_url}/play/api/session")
    ) as api:
        page.goto(url)
    assert api.value.status == 200
    frame = _game_frame(page)
    pw_expect(frame.locator("#ready")).to_be_visible()
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)
    return frame


# --- Tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block_third_party_cookies",
    [pytest.param(True, id="third-party-cookies-blocked"), pytest.param(False, id="allowed")],
)
def test_play_session_in_partner_iframe_survives_reload(
    portero: Portero,
    partner_site: PartnerSite,
    open_browser: OpenBrowser,
    block_third_party_cookies: bool,
) -> None:
    launch_url = portero.new_launch_url()
    context = open_browser(block_third_party_cookies=block_third_party_cookies)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    portero_responses: list[Response] = []
    page.on(
        "response",
        lambda r: portero_responses.append(r) if r.url.startswith(portero.base_url) else None,
    )

    with page.expect_response(lambda r: _is_product_page(portero, r.url)) as landing:
        frame = _open_in_partner_iframe(page, portero, partner_site.page_embedding(launch_url))

    # The product page may be framed by the partner's configured origin (and Portero itself).
    product_page = landing.value
    assert product_page.status == 200
    csp = product_page.header_value("content-security-policy") or ""
    assert _frame_ancestors(csp) == {"'self'", partner_site.origin}
    assert frame.evaluate("document.documentElement.lang") == "es"

    # Which way the page kept its token: sessionStorage, or the URL fragment where the browser
    # refuses storage to a third-party frame.
    if block_third_party_cookies:
        assert _storage_state(frame) == "SecurityError"
        assert "#session=pss_" in frame.url
    else:
        assert _storage_state(frame) == "items:1"
        assert "#" not in frame.url

    ARTIFACTS.mkdir(exist_ok=True)
    suffix = "blocked" if block_third_party_cookies else "allowed"
    page.locator("iframe#game").screenshot(path=ARTIFACTS / f"play-iframe-3pc-{suffix}.png")

    # A reload of the game's own document (not of the partner page, which would open the
    # one-time link again) finds the session again.
    frame.evaluate("window.beforeReload = true")
    with page.expect_response(
        lambda r: r.url.startswith(f"{portero.base_url}/play/api/session")
    ) as api:
        frame.evaluate("setTimeout(() => location.reload())")
    assert api.value.status == 200
    pw_expect(frame.locator("#ready")).to_be_visible()
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)
    assert frame.evaluate("window.beforeReload === undefined"), "the frame was not reloaded"

    # No cookie anywhere: Portero sets none, so blocking third-party cookies cannot matter.
    assert context.cookies() == []
    assert [r.url for r in portero_responses if r.header_value("set-cookie")] == []
    # Control: the probe shows whether this browser really refuses cookies to the iframe.
    probe = frame.evaluate(
        "document.cookie = 'probe=1; SameSite=None; Secure; Path=/'; document.cookie"
    )
    assert probe == ("" if block_third_party_cookies else "probe=1")
    assert problems == []


def test_second_browser_gets_already_used(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    launch_url = portero.new_launch_url()
    first = open_browser().new_page()
    frame = _open_in_partner_iframe(first, portero, partner_site.page_embedding(launch_url))

    second = open_browser().new_page()
    response = second.goto(launch_url)
    assert response is not None
    assert response.status == 409
    assert response.header_value("portero-link-status") == "launch_already_used"
    heading = second.locator("h1")
    pw_expect(heading).to_have_attribute("data-status", "launch_already_used")
    pw_expect(heading).to_have_text(USED_TITLE_ES)
    assert second.evaluate("document.documentElement.lang") == "es"
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=ARTIFACTS / "launch-already-used.png")

    # The refusal does not disturb the player who opened the link.
    with first.expect_response(
        lambda r: r.url.startswith(f"{portero.base_url}/play/api/session")
    ) as api:
        frame.evaluate("setTimeout(() => location.reload())")
    assert api.value.status == 200
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)


def test_origin_not_configured_cannot_frame_the_game(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    launch_url = portero.new_launch_url()
    page = open_browser().new_page()
    outsider_page = partner_site.page_embedding(launch_url, origin=partner_site.outsider)

    with page.expect_console_message(
        lambda m: "frame-ancestors" in m.text and "Content Security Policy" in m.text
    ) as refusal:
        page.goto(outsider_page)
    assert portero.base_url in refusal.value.text
    frame = _game_frame(page)
    assert frame.locator("#app").count() == 0


def test_a_passing_fault_offers_a_retry_instead_of_ending_the_session(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    launch_url = portero.new_launch_url()
    page = open_browser().new_page()
    session_api = f"{portero.base_url}/play/api/session"

    def unavailable(route: Any) -> None:
        route.fulfill(status=503, content_type="application/json", body='{"error": {}}')

    page.route(session_api, unavailable)
    page.goto(launch_url)
    pw_expect(page.locator("#error")).to_be_visible()
    pw_expect(page.locator("#ended")).to_be_hidden()

    page.unroute(session_api, unavailable)
    with page.expect_response(session_api) as api:
        page.locator("#retry").click()
    assert api.value.status == 200
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(page.locator("#nickname")).to_have_text(NICKNAME)
