"""A partner's webhook receiver as a real server (uvicorn in a thread, a free port on
loopback): it keeps every request it gets and answers from a script (a status, a delay, extra
headers), 200 once the script is spent."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.browsing import free_port
from tests.support.sandbox import wait_until


@dataclass(frozen=True)
class Reply:
    status: int = 200
    delay_seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: str = "ok"


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    script: deque[Reply] = field(default_factory=deque)

    def answer(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    port = free_port()
    receiver = Receiver(f"http://127.0.0.1:{port}/hooks")
    lock = threading.Lock()

    async def hooks(request: Request) -> Response:
        body = await request.body()
        with lock:
            receiver.received.append(Received(dict(request.headers), body))
            reply = receiver.script.popleft() if receiver.script else Reply()
        if reply.delay_seconds:
            await asyncio.sleep(reply.delay_seconds)  # a receiver too slow to answer in time
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    app = Starlette(routes=[Route("/hooks", hooks, methods=["POST"])])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_until(lambda: server.started, 5.0), "the receiver did not start"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
