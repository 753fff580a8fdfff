"""Who may read the Prometheus metrics, and the port of their own that serves them when the
operator keeps them off the public one (docs/operations.md#metrics).

The separate port is served by the `portero serve` process itself, beside uvicorn: with one
worker that process is the server, whose counters it reads; with several, it is their
supervisor and reads every worker's from PROMETHEUS_MULTIPROC_DIR. A port per worker could not
be bound by all of them, and one bound in a worker's lifespan would count that worker alone.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from portero.kit import metrics
from portero.partners.errors import AuthenticationFailed

CHALLENGE = 'Bearer realm="metrics"'


class MetricsTokenRequired(AuthenticationFailed):
    default_message = "Reading the metrics takes the metrics token: Authorization: Bearer …"


def reader_allowed(authorization: str | None, token_digest: bytes | None) -> bool:
    """Whether a request may read the metrics: any, without a configured token; otherwise one
    that sends it as a bearer token. The digests are compared in constant time."""
    if token_digest is None:
        return True
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    given_digest = hashlib.sha256(given.strip().encode()).digest()
    return hmac.compare_digest(given_digest, token_digest)


class MetricsListener(ThreadingHTTPServer):
    """The metrics' own port: bound when made (so that a port in use fails at once), then
    answering in a thread while `serving()` runs."""

    daemon_threads = True
    token_digest: bytes | None = None

    @classmethod
    def bind(cls, host: str, port: int, token_digest: bytes | None) -> MetricsListener:
        """Listen on host:port (port 0: any free one); IPv6 for an address with a colon."""
        listener_class = _MetricsListener6 if ":" in host else cls
        listener = listener_class((host, port), _MetricsHandler)
        listener.token_digest = token_digest
        return listener

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @contextmanager
    def serving(self) -> Iterator[MetricsListener]:
        thread = threading.Thread(target=self.serve_forever, name="portero-metrics", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.shutdown()
            self.server_close()
            thread.join(timeout=5)


class _MetricsListener6(MetricsListener):
    address_family = socket.AF_INET6


class _MetricsHandler(BaseHTTPRequestHandler):
    server: MetricsListener
    server_version = "portero"
    sys_version = ""
    timeout = 10  # seconds a connection may idle: a stalled client does not keep its thread

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != "/metrics":
            self._answer(HTTPStatus.NOT_FOUND, b"Not found: the metrics are at /metrics\n")
        elif not reader_allowed(self.headers.get("Authorization"), self.server.token_digest):
            headers = {"WWW-Authenticate": CHALLENGE}
            self._answer(HTTPStatus.UNAUTHORIZED, b"The metrics token is required\n", headers)
        else:
            body, content_type = metrics.render()
            self._answer(HTTPStatus.OK, body, {"Content-Type": content_type})

    def _answer(
        self, status: HTTPStatus, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: Portero's own log lines are JSON, and a scrape every few seconds is noise."""
