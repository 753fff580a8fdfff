"""A Redis outage is survivable: with the call bus on a Redis of the test's own that stops
mid-call, the sockets stay open, a message that cannot be published gets a retryable error on
its sender's socket, /readyz says the bus is degraded, and all works again once Redis is back,
without a restart."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
import redis.asyncio as redis

from tests.support.browsing import free_port
from tests.support.call_sockets import Desk, connect_call, make_desk
from tests.support.live import Peer, live_server

pytestmark = pytest.mark.slow


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


class OwnRedis:
    """A redis-server on a port of its own, stopped and started again by the test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def spawn(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed (Debian's redis-server package)"
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            [binary, *options, "--appendonly", "no"], stdout=subprocess.DEVNULL
        )

    async def start(self) -> None:
        self.spawn()
        client = redis.Redis.from_url(self.url)
        try:
            for _ in range(200):  # bounded: about 4 s
                try:
                    await client.ping()
                    return
                except (redis.ConnectionError, OSError):
                    await asyncio.sleep(0.02)
            pytest.fail("redis-server did not start")
        finally:
            await client.aclose()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def stopped_at_exit(server: OwnRedis) -> Iterator[OwnRedis]:
    try:
        yield server
    finally:
        server.stop()


async def readiness(base_url: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200  # the database is fine: still in rotation
    body: dict[str, object] = response.json()
    return body


async def delivered(sender: Peer, receiver: Peer, call_id: str, text: str) -> bool:
    """Send a chat until it arrives (a subscription renewed after Redis came back is live once
    Redis has it); bounded."""
    for _ in range(50):
        await sender.send({"type": "chat", "call_id": call_id, "text": text})
        try:
            got = await asyncio.wait_for(receiver.expect("chat"), 0.2)
        except TimeoutError:
            continue
        return bool(got["text"] == text)
    return False


async def test_calls_survive_a_redis_outage(desk: Desk) -> None:
    with stopped_at_exit(OwnRedis()) as own:
        await own.start()
        settings = desk.settings.model_copy(update={"redis_url": own.url})
        with live_server(settings) as server:
            agent, customer, call_id = await connect_call(desk, server, server)
            assert await delivered(customer, agent, call_id, "antes")
            own.stop()
            await customer.send({"type": "chat", "text": "¿sigues ahí?"})
            refused = await customer.expect("error")
            assert (refused["code"], refused["retryable"]) == ("unavailable", True)
            await agent.send({"type": "ping"})
            await agent.expect("pong")  # the other socket is open too
            state = await readiness(server.base_url)
            assert state["status"] == "degraded"
            assert "redis" in str(state["degraded"])
            await own.start()
            for _ in range(100):  # bounded: the bus reconnects on its own
                if (await readiness(server.base_url))["status"] == "ready":
                    break
                await asyncio.sleep(0.05)
            assert (await readiness(server.base_url))["status"] == "ready"
            assert await delivered(customer, agent, call_id, "otra vez")
            assert await delivered(agent, customer, call_id, "te oigo")
            assert (await readiness(server.base_url))["status"] == "ready"
            await agent.close()
            await customer.close()
