"""Files in a call's chat on a real server, stored in a directory and in S3-compatible storage
(moto's server on loopback): sent by either party, relayed as a chat message, read back by the
other; refused by content, by size, and to anybody else; kept in the transcript, and read by
the partner's API once the call is over."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from portero.calls import directory as service
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from tests.blobs.test_stores import PNG
from tests.calls.test_transcript_sockets import transcript_of
from tests.support.call_sockets import Desk, connect_call, console_token, customer_link, make_desk
from tests.support.live import LiveServer, Peer, live_server, open_session
from tests.support.polling import eventually
from tests.support.s3_server import s3_server

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FILES = "/play/api/call/files"


@pytest.fixture(params=["directory", "s3"])
def store_settings(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    if request.param == "directory":
        yield {}
        return
    with s3_server(monkeypatch) as server:
        yield {
            "files_store": "s3",
            "files_s3_bucket": server.bucket,
            "files_s3_endpoint_url": server.endpoint_url,
        }


@pytest.fixture
async def desk(database_url: str, store_settings: dict[str, Any]) -> AsyncIterator[Desk]:
    async for made in make_desk(database_url):
        made.settings = made.settings.model_copy(
            update={"call_file_max_bytes": 4096, **store_settings}
        )
        yield made


async def another_agent(desk: Desk) -> str:
    engine = create_engine(desk.settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            agent, _ = await service.add_agent(
                session, partner_id=desk.partner.id, name="Bea", category_codes=[]
            )
            return agent.code
    finally:
        await engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def send(
    server: LiveServer, token: str, data: bytes, name: str, **params: str
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        return await http.post(
            FILES, params={"name": name, **params}, content=data, headers=bearer(token)
        )


async def fetch(server: LiveServer, path: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        return await http.get(path, headers=headers)


async def test_a_file_goes_from_one_party_to_the_other(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        customer_token, agent_token = customer.token, agent.token
        sent = await send(server, customer_token, PNG, "C:\\fotos\\pedido 42.png")
        assert sent.status_code == 201, sent.text
        made = sent.json()
        assert (made["object"], made["call_id"], made["name"]) == (
            "call_file",
            call_id,
            "pedido 42.png",
        )
        assert (made["content_type"], made["size"]) == ("image/png", len(PNG))
        told = await agent.expect("chat")
        assert (told["from"], told["text"], told["file"]["id"]) == (
            "customer",
            "pedido 42.png",
            made["id"],
        )

        got = await fetch(server, f"{FILES}/{made['id']}", bearer(agent_token))
        assert got.status_code == 200, got.text
        assert got.content == PNG
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''pedido%2042.png"
        assert "sandbox" in got.headers["content-security-policy"]
        assert (await fetch(server, f"{FILES}/{made['id']}", bearer(customer_token))).content == PNG

        # The agent sends a PDF to the call it is on.
        back = await send(server, agent_token, PDF, "", call_id=call_id)
        assert back.status_code == 201, back.text
        assert back.json()["name"] == "file.pdf"  # no usable name: one from its type
        assert (await customer.expect("chat"))["file"]["content_type"] == "application/pdf"

        async def both_in_the_transcript() -> bool:
            said = await transcript_of(server, desk, call_id)
            return [m["file"] and m["file"]["name"] for m in said] == ["pedido 42.png", "file.pdf"]

        await eventually(both_in_the_transcript)
        [first, _] = await transcript_of(server, desk, call_id)
        assert first["file"]["url"] == f"/v1/calls/{call_id}/files/{made['id']}"

        # Over, the call's files are the partner's to read, no longer the pages'.
        await customer.send({"type": "hangup"})
        await agent.expect("state", calls=[])
        gone = await fetch(server, f"{FILES}/{made['id']}", bearer(agent_token))
        assert gone.status_code == 404, gone.text
        kept = await fetch(server, first["file"]["url"], desk.partner.auth)
        assert (kept.status_code, kept.content) == (200, PNG)
        for peer in (agent, customer):
            await peer.close()


async def test_files_are_refused_by_content_by_size_and_to_anybody_else(desk: Desk) -> None:
    with live_server(desk.settings) as server:
        agent, customer, call_id = await connect_call(desk, server, server)
        # Its name says PNG, its content says HTML: refused, whatever the browser claims.
        forged = await send(server, customer.token, b"<html><script>alert(1)</script>", "x.png")
        assert forged.status_code == 415, forged.text
        assert forged.json()["error"]["code"] == "unsupported_media_type"
        large = await send(server, customer.token, PNG + b"\0" * 5000, "big.png")
        assert large.status_code == 413, large.text
        assert "4 KiB" in large.json()["error"]["message"]
        # A console for a call that is not its own, and a waiting customer, send nothing.
        assert (
            await send(server, agent.token, PNG, "x.png", call_id="call_other")
        ).status_code == 409
        assert (await send(server, agent.token, PNG, "x.png")).status_code == 409
        other = await open_session(server, await customer_link(desk, server, "Otra"))
        waiting, _ = await Peer.join(server, "/play/api/call/ws", other)
        await waiting.expect("state", status="waiting")
        assert (await send(server, other, PNG, "x.png")).status_code == 409
        made = (await send(server, customer.token, PNG, "ok.png")).json()
        # Nobody but the two parties reads it: not another customer, not another console.
        assert (await fetch(server, f"{FILES}/{made['id']}", bearer(other))).status_code == 404
        stranger = await console_token(desk, server, agent_code=await another_agent(desk))
        assert (await fetch(server, f"{FILES}/{made['id']}", bearer(stranger))).status_code == 404
        assert (await fetch(server, f"{FILES}/{made['id']}", {})).status_code == 401
        # The partner reads it through its API, even while the call is on.
        mine = f"/v1/calls/{call_id}/files/{made['id']}"
        assert (await fetch(server, mine, desk.partner.auth)).status_code == 200
        assert (
            await fetch(server, f"/v1/calls/{call_id}/files/cf_nothere", desk.partner.auth)
        ).status_code == 404
        for peer in (agent, customer, waiting):
            await peer.close()
