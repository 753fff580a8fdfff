"""A caller that hangs up before its body has arrived (its own timeout, a closed tab): the
request ends quietly, counted as 499, with no error and no traceback in the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI

from portero.http.runtime import Runtime
from tests.support.factories import PartnerFixture, make_partner


async def _send_without_body(
    app: FastAPI, path: str, headers: list[tuple[bytes, bytes]]
) -> list[Any]:
    """Drive the application as the server does: the request's head, then the disconnect."""
    sent: list[Any] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.fixture
async def partner(runtime: Runtime) -> PartnerFixture:
    return await make_partner(runtime.sessions)


async def test_a_caller_gone_before_its_body_is_not_an_error(
    app: FastAPI, runtime: Runtime, partner: PartnerFixture, caplog: pytest.LogCaptureFixture
) -> None:
    auth = [(b"authorization", f"Bearer {partner.token}".encode())]
    with caplog.at_level(logging.INFO):
        sent = await _send_without_body(app, "/v1/launches", auth)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 499
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "client disconnected before its request was read" in caplog.messages
