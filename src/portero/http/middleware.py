"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs too much on the hot path)."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portero.kit import metrics
from portero.kit.logging import request_id_var

log = logging.getLogger("portero.access")


def _route_of(scope: Scope) -> str:
    route: Any = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class RequestContextMiddleware:
    """Gives every request a `Request-Id` (header and logs), then logs and measures it by route
    template, never by raw path."""

    def __init__(self, app: ASGIApp, *, on_error: Callable[[Scope, Exception], Response]) -> None:
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = "req_" + secrets.token_hex(8)
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        began = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                responded = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            # A bug: answer in the caller's API format, with the request id, then stop here
            # (the traceback is logged once, by on_error).
            if responded:
                raise
            await self.on_error(scope, error)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - began
            route = _route_of(scope)
            method = scope["method"]
            metrics.observe_request(method, route, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client": client[0] if client else None,
                    },
                )
            request_id_var.reset(token)


class BodyLimitMiddleware:
    """Refuse bodies over the limit, whether announced (Content-Length) or streamed (chunked).

    It raises an HTTPException(413) while the endpoint reads the body, so that the error is
    rendered by the API the request came through, in that API's own error format.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths that take more (a call's chat files), by exact path.
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope["path"], self.max_bytes)
        declared = next(
            (value for name, value in scope["headers"] if name == b"content-length"), None
        )
        too_large = declared is not None and declared.isdigit() and int(declared) > max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:
                raise HTTPException(413)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)
