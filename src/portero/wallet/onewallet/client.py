"""Calling partners' One Wallet endpoints: one pooled HTTP client per endpoint (connections
kept alive, at most `wallet_max_connections` of them), every call bounded by the partner's
timeout, and whatever happens turned into one `CallResult`: a reply, or the reason there is
none. Nothing here raises for a wallet's fault, and nothing here logs the auth token (it
travels in the query string, so no URL is ever logged or put in a result).

The client is aiohttp's rather than httpx's (which the rest of Portero uses): a wallet call is
on every seamless round, twice, and httpx's pool (httpcore 1.0) costs about a millisecond of
CPU a call, more with every idle connection it keeps (each one's socket is polled on every
request), against a tenth of that for aiohttp's (bench/README.md, "The play paths")."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from portero.kit import metrics
from portero.kit.logging import quiet_http_clients
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.wire import Reply, StatusClass


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A partner's One Wallet: its base URL (the methods are under it), the shared secret and
    how long a call may take."""

    partner_id: int
    base_url: str
    auth_token: str
    timeout_seconds: float

    def url(self, method: str) -> str:
        return self.base_url.rstrip("/") + "/" + method

    def __repr__(self) -> str:  # never the token
        return f"Endpoint(partner_id={self.partner_id}, base_url={self.base_url!r})"


@dataclass(frozen=True, slots=True)
class CallResult:
    """What one call came to. `status` is the wallet's (normalised), or TEMPORARY_ERROR when
    there is no usable reply; `outcome` says which, for the history and the metrics."""

    method: str
    status: str
    outcome: str  # the status, or timeout / connection / http_503 / unparsable
    reply: Reply | None
    http_status: int | None
    duration_ms: int
    detail: str | None = None

    @property
    def kind(self) -> StatusClass:
        return wire.classify(self.status)

    @property
    def succeeded(self) -> bool:
        return self.kind is StatusClass.ok


def no_reply(
    method: str,
    outcome: str,
    *,
    started: float | None = None,
    http_status: int | None = None,
    detail: str,
) -> CallResult:
    """A call that came to no usable reply (`outcome` says why): nothing is known, as
    TEMPORARY_ERROR says. `started`: when it was sent (perf_counter), if it was."""
    elapsed = 0 if started is None else round((time.perf_counter() - started) * 1000)
    return CallResult(
        method=method,
        status=wire.TEMPORARY_ERROR,
        outcome=outcome,
        reply=None,
        http_status=http_status,
        duration_ms=elapsed,
        detail=detail,
    )


KEEPALIVE_SECONDS = 30.0  # an idle connection to a wallet is closed after this
# A One Wallet reply is a few hundred bytes: anything past this is not one, and is not read.
MAX_REPLY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class _Client:
    session: aiohttp.ClientSession
    proxy: str | None  # from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), read once


class WalletClients:
    """The process's HTTP clients to partners' wallets, one per endpoint, made on first use."""

    def __init__(self, *, max_connections: int) -> None:
        self._max_connections = max_connections
        self._clients: dict[tuple[int, str, float], _Client] = {}
        quiet_http_clients()  # their INFO lines quote URLs, and ours carry the auth token

    def _client(self, endpoint: Endpoint) -> _Client:
        key = (endpoint.partner_id, endpoint.base_url, endpoint.timeout_seconds)
        client = self._clients.get(key)
        if client is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, keepalive_timeout=KEEPALIVE_SECONDS
            )
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=endpoint.timeout_seconds),
                headers={"Accept": "application/json", "User-Agent": "Portero"},
                # Not aiohttp's trust_env: it would also send the host's .netrc credentials
                # (a `default` entry matches every wallet), and look both up on every call.
                trust_env=False,
            )
            client = _Client(session, _environment_proxy(endpoint.base_url))
            self._clients[key] = client
        return client

    async def call(self, endpoint: Endpoint, method: str, body: Mapping[str, Any]) -> CallResult:
        """POST `body` to the endpoint's `method`, within its timeout (the whole call: a wallet
        that drips its answer slowly times out too)."""
        started = time.perf_counter()
        try:
            client = self._client(endpoint)
            async with (
                asyncio.timeout(endpoint.timeout_seconds),
                client.session.post(
                    endpoint.url(method),
                    params={"authToken": endpoint.auth_token},
                    data=wire.encode(body),
                    headers={"Content-Type": "application/json"},
                    allow_redirects=False,
                    proxy=client.proxy,
                ) as response,
            ):
                status, content = response.status, await _bounded_body(response)
        except TimeoutError:
            result = no_reply(method, "timeout", started=started, detail="no answer in time")
        except (aiohttp.ClientError, OSError, ValueError) as error:
            # The class only: a client's message may quote the URL, and with it the token. An
            # address that cannot be used (a partner's typo) is a wallet that cannot be reached.
            result = no_reply(method, "connection", started=started, detail=type(error).__name__)
        else:
            result = _result(method, status, content, started)
        metrics.WALLET_CALLS.labels(method, result.outcome).inc()
        metrics.WALLET_CALL_SECONDS.labels(method).observe(result.duration_ms / 1000)
        return result

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.session.close()


async def _bounded_body(response: aiohttp.ClientResponse) -> bytes | None:
    """The whole body, or None past MAX_REPLY_BYTES (then not read further). A body cut
    short raises (aiohttp.ClientPayloadError): the connection failed, nothing was answered."""
    if response.content_length is not None:
        return await response.read() if response.content_length <= MAX_REPLY_BYTES else None
    body = bytearray()
    async for chunk in response.content.iter_chunked(16 * 1024):
        body += chunk
        if len(body) > MAX_REPLY_BYTES:
            return None
    return bytes(body)


def _environment_proxy(base_url: str) -> str | None:
    """The proxy the environment names for this URL, as every HTTP client of the host uses."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def _result(method: str, status: int, content: bytes | None, started: float) -> CallResult:
    if status != 200:
        return no_reply(
            method,
            f"http_{status}",
            started=started,
            http_status=status,
            detail=f"HTTP {status}",
        )
    payload = wire.decode(content) if content is not None else None
    reply = wire.parse_reply(payload) if payload is not None else None
    if reply is None:
        return no_reply(
            method, "unparsable", started=started, http_status=200, detail="not a One Wallet reply"
        )
    return CallResult(
        method=method,
        status=reply.status,
        outcome=reply.status,
        reply=reply,
        http_status=200,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
