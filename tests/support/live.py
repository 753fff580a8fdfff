"""Real Portero servers (uvicorn in a thread, real sockets on loopback) and WebSocket clients
for the signalling tests."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from portero.app import create_app
from portero.settings import Settings
from tests.support.browsing import free_port

WAIT_SECONDS = 5.0


@dataclass
class LiveServer:
    base_url: str
    settings: Settings
    app: FastAPI

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")


@contextmanager
def live_server(settings: Settings) -> Iterator[LiveServer]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = settings.model_copy(update={"public_url": base_url})
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(500):  # bounded: 5 s
        if server.started:
            started.set()
            break
        started.wait(0.01)
    assert server.started, "the server did not start"
    try:
        yield LiveServer(base_url=base_url, settings=settings, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def open_session(server: LiveServer, url: str) -> str:
    """Open a link on `server` as a browser would; the play-session token it yields."""
    path = "/" + url.split("/", 3)[3]
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.get(path)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("#session=", 1)[1]


class Peer:
    """One page's socket: sends JSON, and waits (bounded) for the next message of a kind."""

    def __init__(self, connection: ClientConnection, token: str = "") -> None:
        self.connection = connection
        self.token = token  # the play session it said hello with

    @classmethod
    async def join(cls, server: LiveServer, path: str, token: str) -> tuple[Peer, dict[str, Any]]:
        connection = await connect(server.ws_url + path, open_timeout=WAIT_SECONDS)
        peer = cls(connection, token)
        await peer.send({"type": "hello", "token": token})
        return peer, await peer.expect("welcome")

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def expect(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The next message of `kind` whose fields match (others are skipped)."""

        async def wait() -> dict[str, Any]:
            while True:
                message: dict[str, Any] = json.loads(await self.connection.recv())
                if message.get("type") == kind and all(
                    _matches(message.get(k), v) for k, v in fields.items()
                ):
                    return message

        return await asyncio.wait_for(wait(), WAIT_SECONDS)

    async def close(self) -> None:
        await self.connection.close()


def _matches(actual: Any, wanted: Any) -> bool:
    return wanted(actual) if callable(wanted) else bool(actual == wanted)
