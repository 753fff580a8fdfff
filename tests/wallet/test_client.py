"""The wallet client against a real HTTP server on loopback that answers badly in the ways a
partner's wallet can: every one comes back as a CallResult, never an exception, and never
with the auth token in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import MAX_REPLY_BYTES, Endpoint, WalletClients
from tests.support.browsing import free_port

TOKEN = "wallet-secret-token-4f1c"


def _routes(seen: list[str]) -> web.Application:
    async def redirect(request: web.Request) -> web.Response:
        seen.append(request.path)
        raise web.HTTPFound("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"status": "OK"})

    async def too_long(request: web.Request) -> web.Response:
        padding = "x" * MAX_REPLY_BYTES
        return web.json_response({"status": "OK", "balance": 1, "padding": padding})

    async def ok(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.json_response({"status": "OK", "balance": 12.5, "uuid": "u"})

    app = web.Application()
    app.router.add_post("/redirect/debit", redirect)
    app.router.add_post("/elsewhere", elsewhere)
    app.router.add_post("/long/debit", too_long)
    app.router.add_post("/ok/debit", ok)
    return app


@pytest.fixture
async def wallet() -> AsyncIterator[tuple[str, list[str]]]:
    seen: list[str] = []
    runner = web.AppRunner(_routes(seen), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def _call(base_url: str, **endpoint: Any) -> Any:
    clients = WalletClients(max_connections=2)
    try:
        target = Endpoint(1, base_url, TOKEN, endpoint.get("timeout", 5.0))
        return await clients.call(target, "debit", {"amount": wire.two_decimals(100, "EUR")})
    finally:
        await clients.aclose()


async def test_a_redirect_is_an_answer_of_its_own_and_is_not_followed(
    wallet: tuple[str, list[str]],
) -> None:
    base_url, seen = wallet
    result = await _call(f"{base_url}/redirect")
    assert (result.outcome, result.http_status, result.status) == (
        "http_302",
        302,
        "TEMPORARY_ERROR",
    )
    assert seen == ["/redirect/debit"]  # /elsewhere never asked


async def test_a_reply_past_the_limit_is_unparsable(wallet: tuple[str, list[str]]) -> None:
    base_url, _ = wallet
    result = await _call(f"{base_url}/long")
    assert (result.outcome, result.http_status) == ("unparsable", 200)


@pytest.mark.parametrize("base_url", ["http://exa mple.invalid:99999", "http://127.0.0.1:1"])
async def test_an_address_that_cannot_be_used_is_a_connection_failure(base_url: str) -> None:
    result = await _call(base_url)
    assert result.outcome == "connection"
    assert TOKEN not in repr(result)


async def test_no_credential_of_the_host_is_sent(
    wallet: tuple[str, list[str]], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `.netrc` with a default entry names no wallet: nothing of it reaches one."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("default login operator password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    base_url, seen = wallet
    result = await _call(f"{base_url}/ok")
    assert result.outcome == "OK"
    assert seen == [""]
    assert TOKEN not in repr(result)
