"""Fixtures of the browser tests (see browsing.py): one Portero server and one partner site
per test module, a fresh browser profile per test."""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Playwright, sync_playwright

from tests.support.browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SECRET,
    WAIT_MS,
    OpenBrowser,
    PartnerSite,
    Portero,
    free_port,
    require_browser,
    serving,
)

SERVER_LOG_LINES = 60


@pytest.fixture(scope="module")
def partner_site() -> Iterator[PartnerSite]:
    require_browser()
    site = PartnerSite.start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def portero(
    tmp_path_factory: pytest.TempPathFactory, partner_site: PartnerSite
) -> Iterator[Portero]:
    require_browser()
    workdir = tmp_path_factory.mktemp("portero-server")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTERO_")}
    env |= {
        "PORTERO_DATABASE_URL": f"sqlite:///{workdir / 'p.db'}",
        "PORTERO_SECRET_KEY": SECRET,
        "PORTERO_PUBLIC_URL": base_url,
        "PORTERO_EXPIRY_SWEEP_SECONDS": "0",
        # A partner disabled by the CLI is seen at once (not after the cache's 5 s).
        "PORTERO_AUTH_CACHE_SECONDS": "0",
    }
    with serving(env, port, workdir / "server.log"):
        server = Portero(base_url=base_url, env=env, log=workdir / "server.log")
        created = json.loads(server.cli("partner", "create", "Browser test casino", "--json"))
        server.cli(
            "partner", "configure", str(created["id"]),
            "--products", "roulette,slot,call",
            "--frame-ancestors", partner_site.origin,
            "--language", "es",
        )  # fmt: skip
        server.partner_id = created["id"]
        server.partner_token = created["token"]
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test shows the end of its server's log: what the server saw of the
    page (a socket closed, an error) is often the half of the story the assertion lacks."""
    report: pytest.TestReport = yield
    server = getattr(item, "funcargs", {}).get("portero")
    if report.failed and isinstance(server, Portero) and server.log and server.log.exists():
        tail = server.log.read_text(errors="replace").splitlines()[-SERVER_LOG_LINES:]
        report.sections.append(("portero server log (last lines)", "\n".join(tail)))
    return report


@pytest.fixture(scope="module")
def playwright_driver(partner_site: PartnerSite) -> Iterator[Playwright]:
    require_browser()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def open_browser(playwright_driver: Playwright, tmp_path: Path) -> Iterator[OpenBrowser]:
    """Start a browser with its own profile: a separate browser, as a second player would have."""
    contexts: list[BrowserContext] = []

    def start(
        *, block_third_party_cookies: bool = True, args: Sequence[str] = ()
    ) -> BrowserContext:
        profile = tmp_path / f"profile-{len(contexts)}"
        (profile / "Default").mkdir(parents=True)
        mode = 1 if block_third_party_cookies else 0
        preferences = {"profile": {"cookie_controls_mode": mode}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
        context = playwright_driver.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, *args],
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
