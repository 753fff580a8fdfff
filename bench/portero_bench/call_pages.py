"""The pages of the signalling benchmark: calls set up through the partner's APIs and the two
sockets, as the call product's pages do it (docs/products/calls.md), then messages relayed
between the two parties and timed from send to receive.

One call is one agent (capacity 1, a console link opened as the partner's console would) and
one customer, whose seed 002 link names that agent (`userCode`), so that routing pairs them
without any choice: the agent sets itself available, the customer's socket joins the queue and
rings that agent, the agent accepts. Every page sends the heartbeat pages send (a `ping` a
little more often than every 5 s), or the call clock would drop it as gone.

A relayed message carries its own id (a chat's text, a signal's `peer`); the same process holds
both sockets, so send and receive are timed on one clock (`time.perf_counter`). The time is
taken just before the frame is written and when the reader task has parsed the frame on the
other side: it includes both ends' WebSocket framing and this process's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

WAIT_SECONDS = 15.0
HEARTBEAT_SECONDS = 4.0
RELAYED = ("signal", "chat")
# RTCIceCandidate.toJSON() of a host candidate: the commonest signal a call sends.
CANDIDATE = {
    "candidate": "candidate:842163049 1 udp 1677729535 192.0.2.10 54321 typ srflx",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}
Message = dict[str, Any]
Side = Literal["customer", "agent"]


class SetupFailed(Exception):
    """A page did not get what the call product promises within WAIT_SECONDS."""


@dataclass
class Tracker:
    """Send times of the relayed messages in flight, by id, and the latencies (ms) of those
    received since the last `reset`."""

    sent: dict[int, float] = field(default_factory=dict)
    windows: dict[int, asyncio.Semaphore] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    sent_count: int = 0
    next_id: int = 0

    def reset(self) -> None:
        self.latencies, self.sent_count = [], 0

    def message(self, call_id: str | None) -> tuple[int, Message]:
        """A new relayed message (a signal or a chat, in turn); `call_id` for the console's."""
        ident, self.next_id = self.next_id, self.next_id + 1
        if ident % 2:
            message: Message = {"type": "chat", "text": f"m{ident}"}
        else:
            message = {"type": "signal", "data": {"peer": f"m{ident}", "candidate": CANDIDATE}}
        if call_id is not None:
            message["call_id"] = call_id
        return ident, message

    def received(self, message: Message) -> None:
        tag = message.get("text") if message["type"] == "chat" else message["data"].get("peer")
        if not isinstance(tag, str) or not tag.startswith("m"):
            return
        ident = int(tag[1:])
        sent = self.sent.pop(ident, None)
        if sent is None:
            return
        self.latencies.append((time.perf_counter() - sent) * 1000)
        window = self.windows.pop(ident, None)
        if window is not None:
            window.release()


class Page:
    """One page's socket: a reader task (relayed messages to the tracker, anything else but
    pongs to `inbox`) and the heartbeat."""

    def __init__(self, connection: ClientConnection, tracker: Tracker, side: Side) -> None:
        self.connection, self.tracker, self.side = connection, tracker, side
        self.call_id = ""
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())
        self._heart = asyncio.create_task(self._beat())

    @classmethod
    async def open(cls, ws_url: str, token: str, tracker: Tracker, side: Side) -> Page:
        path = "/play/api/call/ws" if side == "customer" else "/play/api/console/ws"
        connection = await connect(ws_url + path, open_timeout=WAIT_SECONDS)
        page = cls(connection, tracker, side)
        await page.send({"type": "hello", "token": token})
        welcome = await page.expect("welcome")
        page.call_id = str(welcome.get("call_id", ""))
        return page

    async def send(self, message: Message) -> None:
        await self.connection.send(json.dumps(message, separators=(",", ":")))

    async def relay(self, call_id: str, window: asyncio.Semaphore | None = None) -> None:
        """Send one relayed message to the other party of `call_id`."""
        ident, message = self.tracker.message(call_id if self.side == "agent" else None)
        text = json.dumps(message, separators=(",", ":"))
        if window is not None:
            self.tracker.windows[ident] = window
        self.tracker.sent[ident] = time.perf_counter()
        self.tracker.sent_count += 1
        await self.connection.send(text)

    async def expect(self, kind: str, test: Callable[[Message], bool] = lambda _m: True) -> Message:
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while True:
                    message = await self.inbox.get()
                    if message.get("type") == "error":
                        raise SetupFailed(f"{self.side} page: {message}")
                    if message.get("type") == kind and test(message):
                        return message
        except TimeoutError:
            raise SetupFailed(f"{self.side} page: no {kind} within {WAIT_SECONDS:g} s") from None

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.connection:
                message = json.loads(raw)
                kind = message.get("type")
                if kind in RELAYED:
                    self.tracker.received(message)
                elif kind != "pong":
                    self.inbox.put_nowait(message)

    async def _beat(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(HEARTBEAT_SECONDS)
                await self.send({"type": "ping"})

    async def close(self) -> None:
        self._heart.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.connection.close(), 5)
        self._reader.cancel()


@dataclass(frozen=True)
class Booth:
    """What one call's two pages hold before they connect: their play-session tokens."""

    agent_code: str
    console: str
    customer: str


@dataclass(frozen=True)
class Call:
    call_id: str
    customer: Page
    agent: Page


async def _opened(http: httpx.AsyncClient, url: str) -> str:
    """Open a link as a browser does; the play-session token of the page it leads to."""
    answer = await http.get("/" + url.split("/", 3)[3])
    if answer.status_code != 303:
        raise SetupFailed(f"opening {url}: {answer.status_code} {answer.text[:200]}")
    return answer.headers["location"].split("#session=", 1)[1]


async def make_booths(
    agent_base: str, customer_base: str, token: str, count: int, prefix: str
) -> list[Booth]:
    """`count` agents (through the native API, on the agents' server) with an opened console
    link each, and a customer link per agent (seed 002, opened on the customers' server)."""
    auth = {"Authorization": f"Bearer {token}"}
    limit = asyncio.Semaphore(16)
    async with (
        httpx.AsyncClient(base_url=agent_base, headers=auth, timeout=30) as agents,
        httpx.AsyncClient(base_url=customer_base, timeout=30) as customers,
    ):

        async def booth(index: int) -> Booth:
            async with limit:
                made = await agents.post("/v1/agents", json={"name": f"{prefix} {index}"})
                if made.status_code != 201:
                    raise SetupFailed(f"creating an agent: {made.status_code} {made.text}")
                code = made.json()["code"]
                link = await agents.post(f"/v1/agents/{code}/console-links")
                console = await _opened(agents, link.json()["url"])
                asked = await customers.post(
                    "/api/v1/access/external/cammer/generate-session",
                    headers=auth | {"X-Requested-With": "XMLHttpRequest"},
                    json={
                        "name": f"Customer {prefix} {index}",
                        "cellphone": f"+58414{1000000 + index}",
                        "userCode": code,
                        "ticket": {"title": "Bench", "description": "Signalling benchmark"},
                    },
                )
                if asked.status_code != 200:
                    raise SetupFailed(f"a call link: {asked.status_code} {asked.text}")
                customer = await _opened(customers, asked.json()["data"]["link"])
            return Booth(code, console, customer)

        return list(await asyncio.gather(*(booth(index) for index in range(count))))


async def open_console(booth: Booth, agent_ws: str, tracker: Tracker) -> Page:
    """The agent's console, set available."""
    agent = await Page.open(agent_ws, booth.console, tracker, "agent")
    await agent.send({"type": "presence", "presence": "available"})
    await agent.expect("state", lambda m: m["agent"]["presence"] == "available")
    return agent


async def answer(agent: Page, booth: Booth, customer_ws: str, tracker: Tracker) -> Call:
    """The customer's page joins, rings its agent, and the agent accepts."""
    customer = await Page.open(customer_ws, booth.customer, tracker, "customer")
    call_id = customer.call_id
    await agent.expect("state", lambda m: (m.get("offer") or {}).get("call_id") == call_id)
    await agent.send({"type": "accept", "call_id": call_id})
    await customer.expect("state", lambda m: m.get("status") == "connected")
    await agent.expect("state", lambda m: call_id in [c["call_id"] for c in m["calls"]])
    return Call(call_id, customer, agent)


async def connect_calls(
    booths: list[Booth], agent_ws: str, customer_ws: str, tracker: Tracker, *, at_once: int
) -> list[Call]:
    """Every console first (ten at a time), then the customers `at_once` at a time: every
    customer who joins the queue, and every call answered, makes the partner's customers still
    queued read their state again (a "queue" message on the partner's channel), and too many
    at once would outrun the database's pool (PORTERO_DB_POOL_SIZE connections, a wait of at
    most PORTERO_DB_POOL_TIMEOUT_SECONDS, then the socket closes)."""
    consoles = asyncio.Semaphore(10)
    customers = asyncio.Semaphore(at_once)

    async def console(booth: Booth) -> Page:
        async with consoles:
            return await open_console(booth, agent_ws, tracker)

    agents = await asyncio.gather(*(console(booth) for booth in booths))

    async def one(agent: Page, booth: Booth) -> Call:
        async with customers:
            return await answer(agent, booth, customer_ws, tracker)

    return list(await asyncio.gather(*map(one, agents, booths)))


async def settle(calls: Iterable[Call], tracker: Tracker, seconds: float = 30.0) -> float:
    """One message each way on every call, and wait until all have arrived: a socket handles
    what the bus brings in order, so a message arrives once the socket has read every "look
    again" queued before it. The seconds that took."""
    started = time.monotonic()
    await asyncio.gather(
        *(page.relay(call.call_id) for call in calls for page in (call.customer, call.agent))
    )
    for _ in range(round(seconds / 0.05)):
        if not tracker.sent:
            break
        await asyncio.sleep(0.05)
    if tracker.sent:
        raise SetupFailed(f"{len(tracker.sent)} messages still on their way after {seconds:g} s")
    return time.monotonic() - started


async def hang_up(calls: Iterable[Call]) -> None:
    """The customers' pages close first, then each agent hangs up (the call ends, completed,
    as when a customer drops and the agent ends it), goes offline, and the consoles close. In
    that order no customer socket is left to read its state again as every call ends (see
    connect_calls), and the clock finds nobody to sign out afterwards."""
    calls = list(calls)
    await asyncio.gather(*(call.customer.close() for call in calls))

    async def end(call: Call) -> None:
        agent = call.agent
        with contextlib.suppress(ConnectionClosed, SetupFailed):
            await agent.send({"type": "hangup", "call_id": call.call_id})
            await agent.expect("state", lambda m: not m["calls"])
            await agent.send({"type": "presence", "presence": "offline"})
            await agent.expect("state", lambda m: m["agent"]["presence"] == "offline")

    await asyncio.gather(*(end(call) for call in calls))
    await asyncio.gather(*(call.agent.close() for call in calls))
