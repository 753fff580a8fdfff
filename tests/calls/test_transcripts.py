"""A call's transcript, on SQLite and PostgreSQL: the writer that keeps the chat off the relay's
path (batched, a bad message costing only itself, what is left written on stop), the partner's
`GET /v1/calls/{id}/transcript`, and its removal with the call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from portero.calls import ending, routing, satisfaction
from portero.calls import transcripts as module
from portero.calls.models import CALL, MESSAGE, MessageSender
from portero.calls.transcripts import BATCH, Said, TranscriptWriter
from portero.kit.clock import utcnow
from portero.kit.db import create_engine, create_sessionmaker, session_scope
from tests.calls.test_satisfaction import completed_call
from tests.conftest import make_settings
from tests.support.browsing import free_port
from tests.support.call_desk import CallDesk
from tests.support.db import inspecting
from tests.support.factories import make_partner
from tests.support.statements import statements_sent


async def answered_call(desk: CallDesk) -> tuple[str, int]:
    """A call of the desk answered by Ana: its id and Ana's."""
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await desk.customer("Estarly", category_code=sales)
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=ana.id, call_id=call_id, now=desk.now)
    )
    return call_id, ana.id


def conversation(desk: CallDesk, call_id: str, agent_id: int) -> list[Said]:
    said = [
        (MessageSender.customer, "Hola, ¿me oyes?"),
        (MessageSender.agent, "Sí, perfectamente"),
        (MessageSender.customer, "<b>no</b> es HTML \x00 ni NUL"),
    ]
    start = desk.now
    return [
        Said(call_id, sender, agent_id, text, start + timedelta(seconds=index))
        for index, (sender, text) in enumerate(said)
    ]


async def kept(desk: CallDesk, call_id: str) -> list[tuple[str, str]]:
    async with inspecting(desk.sessions) as session:
        query = (
            select(MESSAGE.c.sender, MESSAGE.c.text)
            .where(MESSAGE.c.call_id == call_id)
            .order_by(MESSAGE.c.id)
        )
        return [(sender, text) for sender, text in (await session.execute(query)).all()]


async def transcript(
    desk: CallDesk, call_id: str, auth: dict[str, str] | None = None, **params: Any
) -> httpx.Response:
    return await desk.client.get(
        f"/v1/calls/{call_id}/transcript", params=params, headers=auth or desk.partner.auth
    )


async def test_the_writer_writes_what_has_gathered_in_one_statement(desk: CallDesk) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    for said in conversation(desk, call_id, ana):
        writer.add(said)
    assert writer.pending == 3  # adding never waits for the database
    with statements_sent(desk.sessions.kw["bind"]) as statements:
        await writer.flush()
    assert [s.split(" (")[0] for s in statements if "call_message" in s] == [
        "INSERT INTO call_message"
    ]
    assert writer.pending == 0
    assert await kept(desk, call_id) == [
        ("customer", "Hola, ¿me oyes?"),
        ("agent", "Sí, perfectamente"),
        # Kept as text; PostgreSQL's text cannot hold NUL, so neither does the record.
        ("customer", "<b>no</b> es HTML \ufffd ni NUL"),
    ]


async def test_a_message_the_database_refuses_costs_only_itself(desk: CallDesk) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    first, second, third = conversation(desk, call_id, ana)
    writer.add(first)
    # A call that is not there (deleted meanwhile): its foreign key fails the whole batch.
    writer.add(Said("call_gone", MessageSender.customer, None, "¿Hola?", desk.now))
    writer.add(second)
    await writer.flush()
    assert writer.pending == 0
    assert await kept(desk, call_id) == [(first.sender, first.text), (second.sender, second.text)]
    writer.add(third)  # and the writer goes on
    await writer.flush()
    assert len(await kept(desk, call_id)) == 3


async def test_a_long_conversation_goes_in_batches(desk: CallDesk) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    for index in range(BATCH + 3):
        writer.add(Said(call_id, MessageSender.agent, ana, f"línea {index}", desk.now))
    with statements_sent(desk.sessions.kw["bind"]) as statements:
        await writer.flush()
    assert len([s for s in statements if s.startswith("INSERT INTO call_message")]) == 2
    assert len(await kept(desk, call_id)) == BATCH + 3


async def test_stopping_writes_what_is_left(desk: CallDesk) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    writer.start()
    await writer.stop()  # with nothing pending: returns at once
    for said in conversation(desk, call_id, ana):
        writer.add(said)  # the background task is gone: only stop() can write them
    await writer.stop()
    assert len(await kept(desk, call_id)) == 3


async def test_the_partner_reads_the_transcript_a_page_at_a_time(desk: CallDesk) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    # Written out of order (two processes, each with its own writer): read by time.
    said = conversation(desk, call_id, ana)
    for message in (said[1], said[0], said[2]):
        writer.add(message)
    await writer.flush()

    whole = await transcript(desk, call_id)
    assert whole.status_code == 200, whole.text
    body = whole.json()
    assert (body["object"], body["url"], body["has_more"]) == (
        "list",
        f"/v1/calls/{call_id}/transcript",
        False,
    )
    assert [(m["sender"], m["text"]) for m in body["data"]] == [
        ("customer", "Hola, ¿me oyes?"),
        ("agent", "Sí, perfectamente"),
        ("customer", "<b>no</b> es HTML \ufffd ni NUL"),
    ]
    first = body["data"][0]
    assert first["object"] == "call_message"
    assert first["id"].startswith("msg_")
    assert first["agent"] == {"code": (await desk.agent_row(ana)).code, "name": "Ana"}

    one = (await transcript(desk, call_id, limit=1)).json()
    assert ([m["text"] for m in one["data"]], one["has_more"]) == (["Hola, ¿me oyes?"], True)
    rest = (await transcript(desk, call_id, starting_after=one["data"][0]["id"])).json()
    assert [m["id"] for m in rest["data"]] == [m["id"] for m in body["data"][1:]]


async def test_a_call_with_nothing_said_has_an_empty_transcript(desk: CallDesk) -> None:
    call_id, _ = await answered_call(desk)
    empty = await transcript(desk, call_id)
    assert empty.status_code == 200
    assert (empty.json()["data"], empty.json()["has_more"]) == ([], False)


async def test_another_partners_call_and_bad_parameters_get_the_native_errors(
    desk: CallDesk,
) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    writer.add(conversation(desk, call_id, ana)[0])
    await writer.flush()
    other = await make_partner(desk.sessions, products=["call"])
    for unknown in (call_id, "call_00000000000000000000000000", "nope"):
        missing = await transcript(desk, unknown, other.auth)
        assert missing.status_code == 404, missing.text
        assert missing.json()["error"]["code"] == "resource_missing"
    for params in ({"limit": 0}, {"starting_after": "42"}, {"page": 2}):
        refused = await transcript(desk, call_id, **params)
        assert refused.status_code == 400, (params, refused.text)
    assert (await desk.client.get(f"/v1/calls/{call_id}/transcript")).status_code == 401


async def test_the_transcript_is_removed_with_its_call(desk: CallDesk) -> None:
    call_id, ana = await answered_call(desk)
    writer = TranscriptWriter(desk.sessions)
    for said in conversation(desk, call_id, ana):
        writer.add(said)
    await writer.flush()
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="agent"))
    async with session_scope(desk.sessions) as session:
        await session.execute(delete(CALL).where(CALL.c.id == call_id))
    assert await kept(desk, call_id) == []


async def test_a_rating_shows_on_the_console_of_the_agent_who_took_the_call(
    desk: CallDesk,
) -> None:
    call_id, bearer = await completed_call(desk)
    token = bearer["Authorization"].removeprefix("Bearer ")
    ana = (await desk.call(call_id)).agent_id
    desk.outbox.messages.clear()
    await desk.run(
        lambda s, o: satisfaction.rate(s, o, token=token, score=5, comment="¡Genial!", now=desk.now)
    )
    assert desk.outbox.messages == {f"portero:agent:{ana}": {"type": "refresh"}}
    assert ana is not None
    recent = (await desk.console(ana))["recent"]
    assert [(c["call_id"], c["satisfaction"]) for c in recent] == [
        (call_id, {"score": 5, "comment": "¡Genial!"})
    ]


async def test_a_writer_whose_database_is_away_stops_in_bounded_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(module, "_RETRY_DELAYS", (0.01, 0.01, 0.01, 0.01))
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/portero"
    engine = create_engine(make_settings(nowhere))
    writer = TranscriptWriter(create_sessionmaker(engine))
    writer.start()
    try:
        writer.add(Said("call_x", MessageSender.customer, None, "¿Hola?", utcnow()))
        await writer.stop()  # returns: a few attempts, then it gives up
    finally:
        await engine.dispose()
    assert writer.pending == 1
    assert "1 chat messages could not be written" in caplog.text
