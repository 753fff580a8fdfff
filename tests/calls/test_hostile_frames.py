"""One party cannot break the other's socket: every hostile frame is refused on its sender's
socket alone, and the other party stays connected and keeps receiving."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from tests.support.call_sockets import CANDIDATE, OFFER, Desk, connect_call, make_desk
from tests.support.live import WAIT_SECONDS, Peer, live_server


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        yield made


def nested(depth: int) -> str:
    """JSON text of objects nested `depth` deep (written out: too deep for json.dumps here)."""
    return '{"x":' * depth + "{}" + "}" * depth


def with_data(call_id: str, data: str) -> str:
    return f'{{"type": "signal", "call_id": "{call_id}", "data": {data}}}'


def hostile_frames(call_id: str) -> list[str | bytes]:
    """Frames the audit sent, and their kin: deep nesting (951 levels passed the sender's parse
    and broke the receiver's), oversized, malformed, wrong types, unknown fields."""
    signal = {"type": "signal", "call_id": call_id}
    frames: list[object] = [
        signal | {"data": OFFER | {"extra": {"x": {"y": {}}}}},
        signal | {"data": {"peer": "p1"}},  # neither description nor candidate
        signal | {"data": OFFER | CANDIDATE},  # both
        signal | {"data": OFFER | {"description": {"type": "offer", "sdp": "x" * 40_000}}},
        signal | {"data": {"peer": "p1", "description": {"type": "evil", "sdp": ""}}},
        signal | {"data": {"peer": ["p1"], "candidate": CANDIDATE["candidate"]}},
        signal | {"data": CANDIDATE | {"candidate": {"candidate": 7}}},
        signal | {"data": "a string"},
        signal | {"data": [OFFER]},
        {"type": "chat", "call_id": call_id, "text": {"nested": "object"}},
        {"type": "chat", "call_id": call_id, "text": "x" * 2001},
        {"type": "chat", "call_id": call_id, "text": "   "},
        {"type": "chat", "call_id": call_id, "text": 12},
        {"type": "presence", "presence": ["available"]},
        {"type": 7},
        ["signal"],
        None,
    ]
    raw: list[str | bytes] = [json.dumps(frame) for frame in frames]
    raw += [
        with_data(call_id, nested(951)),
        with_data(call_id, '{"peer": "p1", "description": ' + nested(40) + "}"),
        "[" * 30_000 + "]" * 30_000,  # deeper than Python's own parser goes
        '{"type": "chat", "text": ' + "[" * 5000 + "]" * 5000 + "}",
        "x" * 70_000,  # over the 64 KiB limit
        '{"type": "chat", "text": NaN}',
        '{"type": "signal", "data": {"peer": "p1", "candidate": {"candidate": "", '
        '"sdpMLineIndex": Infinity}}}',
        '{"type": "chat", "text": "\\ud800 lone surrogate"}',
        "{not json",
        b"\x00\x01binary",
    ]
    return raw


async def send_raw(peer: Peer, frame: str | bytes) -> None:
    await peer.connection.send(frame)


@pytest.mark.parametrize("sender", ["customer", "agent"])
async def test_hostile_frames_are_refused_on_the_senders_socket_only(
    desk: Desk, sender: str
) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        hostile, other = (customer, agent) if sender == "customer" else (agent, customer)
        frames = hostile_frames(call_id)
        for frame in frames:
            await send_raw(hostile, frame)
            error = await hostile.expect("error")
            assert error["code"] in ("malformed", "too_large", "unknown_type"), frame[:80]
        # Neither socket broke: the hostile party can still talk, the other still hears, and
        # nothing of the refused frames reached the other party.
        await hostile.send({"type": "chat", "call_id": call_id, "text": "still here"})
        first = json.loads(await asyncio.wait_for(other.connection.recv(), WAIT_SECONDS))
        assert (first["type"], first["text"]) == ("chat", "still here")
        await other.send({"type": "chat", "call_id": call_id, "text": "and me"})
        assert (await hostile.expect("chat"))["text"] == "and me"
        await agent.close()
        await customer.close()
