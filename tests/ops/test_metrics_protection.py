"""The operator protects /metrics: a bearer token, a port of its own, or both
(docs/operations.md#metrics)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from portero.app import create_app
from portero.cli.main import app as cli
from portero.kit.logging import JsonFormatter
from portero.ops.scrape import MetricsListener, reader_allowed
from portero.settings import Settings, SettingsError
from tests.conftest import PUBLIC_URL, TEST_SECRET, make_settings, running
from tests.support.browsing import free_port, serving

TOKEN = "metrics-token-" + "7" * 24


@asynccontextmanager
async def public_port(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            yield client


class TestToken:
    async def test_metrics_need_the_token_when_one_is_set(self, sqlite_url: str) -> None:
        async with public_port(make_settings(sqlite_url, metrics_token=TOKEN)) as client:
            missing = await client.get("/metrics")
            wrong = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
            basic = await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
            right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        for refused in (missing, wrong, basic):
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "authentication_failed"
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert "portero_http_requests_total" not in refused.text
        assert right.status_code == 200
        assert "portero_http_requests_total" in right.text

    async def test_without_a_token_metrics_stay_open(self, sqlite_url: str) -> None:
        async with public_port(make_settings(sqlite_url)) as client:
            assert (await client.get("/metrics")).status_code == 200

    def test_a_short_token_is_refused_without_being_quoted(self, sqlite_url: str) -> None:
        short = "tiny-token-1234"  # 15 characters
        with pytest.raises(SettingsError) as refused:
            create_app(make_settings(sqlite_url, metrics_token=short))
        assert short not in str(refused.value)
        assert short not in repr(make_settings(sqlite_url, metrics_token=short))

    async def test_the_token_reaches_no_log_line(
        self, sqlite_url: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings = make_settings(sqlite_url, metrics_token=TOKEN)
        with caplog.at_level(logging.DEBUG):
            async with public_port(settings) as client:
                for token in (TOKEN, TOKEN + "x"):
                    await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        formatter = JsonFormatter()
        lines = "\n".join(formatter.format(r) for r in caplog.records)
        assert '"route": "/metrics"' in lines
        assert TOKEN not in lines

    def test_only_the_exact_token_is_allowed(self) -> None:
        digest = make_settings("sqlite://", metrics_token=TOKEN).metrics_token_digest
        assert reader_allowed(f"Bearer {TOKEN}", digest)
        assert reader_allowed(f"bearer  {TOKEN} ", digest)
        for header in (None, "", "Bearer", f"Bearer {TOKEN[:-1]}", TOKEN, f"Token {TOKEN}"):
            assert not reader_allowed(header, digest), header
        assert reader_allowed(None, None)  # no token configured


class TestSeparatePort:
    async def test_the_public_app_has_no_metrics_when_they_have_a_port(
        self, sqlite_url: str
    ) -> None:
        async with public_port(make_settings(sqlite_url, metrics_port=free_port())) as client:
            response = await client.get("/metrics")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "route_not_found"

    def test_the_listener_serves_metrics_and_checks_the_token(self) -> None:
        digest = make_settings("sqlite://", metrics_token=TOKEN).metrics_token_digest
        with MetricsListener.bind("127.0.0.1", 0, digest).serving() as listener:
            base = f"http://127.0.0.1:{listener.port}"
            refused = httpx.get(f"{base}/metrics", timeout=5)
            read = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            elsewhere = httpx.get(f"{base}/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
        assert read.status_code == 200
        assert read.headers["content-type"].startswith("text/plain; version=")
        assert "portero_http_requests_total" in read.text
        assert elsewhere.status_code == 404
        assert "Python" not in read.headers.get("server", "")


def _serve_env(workdir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTERO_", "PROMETHEUS_"))}
    return env | {
        "PORTERO_DATABASE_URL": f"sqlite:///{workdir / 'p.db'}",
        "PORTERO_SECRET_KEY": TEST_SECRET,
        "PORTERO_EXPIRY_SWEEP_SECONDS": "0",
        **settings,
    }


@pytest.fixture
def metrics_served_apart(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`portero serve` on loopback, with its metrics on a second port and a token."""
    port, metrics_port = free_port(), free_port()
    env = _serve_env(tmp_path, PORTERO_METRICS_TOKEN=TOKEN)
    with serving(env, port, tmp_path / "server.log", "--metrics-port", str(metrics_port)):
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"


def test_portero_serve_moves_the_metrics_to_their_port(
    metrics_served_apart: tuple[str, str],
) -> None:
    public, private = metrics_served_apart
    assert httpx.get(f"{public}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"{public}/metrics", timeout=5).status_code == 404
    assert httpx.get(f"{private}/metrics", timeout=5).status_code == 401
    scraped = httpx.get(f"{private}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    # The server's own counters: the requests just made on the public port.
    assert 'route="/healthz",status="200"' in scraped.text
    assert 'route="unmatched",status="404"' in scraped.text


def test_portero_serve_refuses_a_weak_metrics_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weak = "Weak-Token-123"
    for name, value in _serve_env(tmp_path, PORTERO_METRICS_TOKEN=weak).items():
        monkeypatch.setenv(name, value)
    done = CliRunner().invoke(cli, ["serve", "--port", str(free_port()), "--no-migrate"])
    assert done.exit_code == 2
    assert "PORTERO_METRICS_TOKEN must be at least 16 characters" in done.output
    assert weak not in done.output


@pytest.mark.slow
def test_with_several_workers_the_metrics_port_sums_them(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    options = ("--workers", "2", "--metrics-port", str(metrics_port))
    with serving(_serve_env(tmp_path), port, tmp_path / "server.log", *options):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as public:
            for _ in range(40):  # new connections: both workers answer some
                assert public.get("/healthz", headers={"Connection": "close"}).status_code == 200
            assert public.get("/metrics").status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
    assert scraped.status_code == 200
    line = 'portero_http_requests_total{method="GET",route="/healthz",status="200"} 40.0'
    assert line in scraped.text.splitlines()
