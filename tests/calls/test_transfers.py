"""Transfers, on SQLite and PostgreSQL, with the clock moved by hand: to an agent and to a
category, accepted (the legs, the agents' counters, the records and events), rejected, rung out,
the target going away, the call ending while it rings; and what may not be transferred."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from portero.calls import ending, transcripts, transfers
from portero.calls.errors import (
    AgentNotFound,
    CallNotActive,
    CategoryNotFound,
    OfferGone,
    TransferPending,
    TransferUnavailable,
)
from portero.calls.models import CallAgent, CallStatus, Presence
from portero.webhooks.models import WebhookEvent
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting


async def connected(desk: CallDesk, category: str, agent: CallAgent) -> str:
    """A customer of the category, answered by `agent` (the only one free)."""
    call_id = await desk.customer("Estarly", category_code=category)
    assert (await desk.call(call_id)).agent_id == agent.id
    await desk.run(
        lambda s, o: transfers.answer_offer(s, o, agent_id=agent.id, call_id=call_id, now=desk.now)
    )
    assert (await desk.call(call_id)).status == CallStatus.connected
    return call_id


async def transfer(
    desk: CallDesk, by: CallAgent, call_id: str, note: str | None = "Quiere cambiar la talla",
    **target: str,
) -> str:  # fmt: skip
    return await desk.run(
        lambda s, o: transfers.start(
            s, o, agent_id=by.id, call_id=call_id, to_agent=target.get("agent"),
            to_category=target.get("category"), note=note, now=desk.now, timings=TIMINGS,
        )
    )  # fmt: skip


async def answer(desk: CallDesk, agent: CallAgent, call_id: str) -> None:
    await desk.run(
        lambda s, o: transfers.answer_offer(s, o, agent_id=agent.id, call_id=call_id, now=desk.now)
    )


async def refuse(desk: CallDesk, agent: CallAgent, call_id: str) -> None:
    await desk.run(
        lambda s, o: transfers.refuse_offer(
            s, o, agent_id=agent.id, call_id=call_id, now=desk.now, timings=TIMINGS
        )
    )


async def tick(desk: CallDesk) -> None:
    from portero.calls.dispatcher import tick as run_tick

    await desk.run(lambda s, o: run_tick(s, o, now=desk.now, timings=TIMINGS))


async def record(desk: CallDesk, call_id: str) -> dict[str, Any]:
    answer_ = await desk.client.get(f"/v1/calls/{call_id}", headers=desk.partner.auth)
    assert answer_.status_code == 200, answer_.text
    body: dict[str, Any] = answer_.json()
    return body


async def events_of(desk: CallDesk, call_id: str) -> list[str]:
    async with inspecting(desk.sessions) as session:
        rows = await session.execute(
            select(WebhookEvent.type, WebhookEvent.data)
            .where(WebhookEvent.partner_id == desk.partner.id)
            .order_by(WebhookEvent.id)
        )
        return [kind for kind, data in rows.all() if data.get("id") == call_id]


@pytest.fixture
async def every_event(desk: CallDesk) -> Any:
    """An endpoint taking every event, so that they are recorded; removed afterwards."""
    made = await desk.client.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/hooks", "enabled_events": ["*"]},
        headers=desk.partner.auth,
    )
    assert made.status_code == 201, made.text
    yield
    removed = await desk.client.delete(
        f"/v1/webhook-endpoints/{made.json()['id']}", headers=desk.partner.auth
    )
    assert removed.status_code == 204


@pytest.fixture
def settings(database_url: str) -> Any:
    from tests.conftest import make_settings

    return make_settings(database_url, allow_private_webhook_urls=True)


@pytest.mark.usefixtures("every_event")
async def test_a_transfer_to_an_agent_hands_the_call_over_on_accept(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea", capacity=2)  # serves no category: an agent is asked for
    desk.later(10)
    await desk.alive(ana, bea, calls=(call_id,))
    await transfer(desk, ana, call_id, agent=bea.code)

    # It rings on Bea with the note and the chat so far; Ana is still on the call.
    offer = (await desk.console(bea.id))["offer"]
    assert offer["call_id"] == call_id
    assert offer["transfer"]["from"] == {"code": ana.code, "name": "Ana"}
    assert offer["transfer"]["note"] == "Quiere cambiar la talla"
    assert offer["tickets"] == [{"title": "Pedido", "description": "Cambiar talla"}]
    assert offer["messages"] == []
    ana_state = await desk.console(ana.id)
    assert [c["transfer"]["status"] for c in ana_state["calls"]] == ["ringing"]
    assert (await desk.call(call_id)).agent_id == ana.id
    assert (await desk.customer_state(call_id))["agent"] == {"name": "Ana"}

    desk.later(5)
    await answer(desk, bea, call_id)
    call = await desk.call(call_id)
    assert (call.status, call.agent_id) == (CallStatus.connected, bea.id)
    assert (await desk.customer_state(call_id))["agent"] == {"name": "Bea"}
    ana_row, bea_row = await desk.agent_row(ana.id), await desk.agent_row(bea.id)
    assert (ana_row.active_calls, ana_row.offer_call_id) == (0, None)
    assert (bea_row.active_calls, bea_row.offer_call_id) == (1, None)
    ana_state = await desk.console(ana.id)
    assert ana_state["calls"] == []
    assert [(h["call_id"], h["offered_to"]["name"]) for h in ana_state["handed_over"]] == [
        (call_id, "Bea")
    ]
    assert [c["call_id"] for c in (await desk.console(bea.id))["calls"]] == [call_id]

    desk.later(60)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="agent"))
    assert (await desk.agent_row(bea.id)).active_calls == 0
    body = await record(desk, call_id)
    assert body["agent"]["code"] == bea.code
    [made] = body["transfers"]
    assert (made["from_agent"], made["to_agent"], made["offered_to"], made["status"]) == (
        ana.code,
        bea.code,
        bea.code,
        "accepted",
    )
    assert [leg["agent"] for leg in body["legs"]] == [ana.code, bea.code]
    first, second = body["legs"]
    assert first["ended_at"] == second["started_at"] == made["answered_at"]
    assert (first["started_at"], second["ended_at"]) == (body["answered_at"], body["ended_at"])
    assert await events_of(desk, call_id) == [
        "call.requested",
        "call.answered",
        "call.transfer_requested",
        "call.transferred",
        "call.ended",
    ]


async def test_a_transfer_to_a_category_rings_its_longest_idle_free_agent(
    desk: CallDesk,
) -> None:
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    ana = await desk.agent("Ana", sales, support)  # serves both: not rung for her own call
    call_id = await connected(desk, sales, ana)
    desk.later(1)
    berta = await desk.agent("Berta", support)
    desk.later(1)
    await desk.agent("Carla", support)
    await desk.agent("Dora", support, available=False)
    await transfer(desk, ana, call_id, category=support)
    assert (await desk.agent_row(berta.id)).offer_call_id == call_id
    offer = (await desk.console(berta.id))["offer"]
    assert offer["transfer"]["to"]["category"] == {"code": support, "name": "Soporte"}


async def test_a_rejected_transfer_leaves_the_call_with_the_first_agent(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea")
    await transfer(desk, ana, call_id, agent=bea.code)
    await refuse(desk, bea, call_id)
    call = await desk.call(call_id)
    assert (call.status, call.agent_id) == (CallStatus.connected, ana.id)
    assert (await desk.agent_row(bea.id)).offer_call_id is None
    assert (await desk.agent_row(ana.id)).active_calls == 1
    [shown] = (await desk.console(ana.id))["calls"]
    assert (shown["transfer"]["status"], shown["transfer"]["offered_to"]["name"]) == (
        "rejected",
        "Bea",
    )
    with pytest.raises(OfferGone):
        await answer(desk, bea, call_id)  # too late
    # A waiting call is offered to Bea as soon as she is free again.
    waiting = await desk.customer("Otra")  # for anyone: Ana has no room
    assert (await desk.call(waiting)).agent_id == bea.id
    await refuse(desk, bea, waiting)
    # The call may be transferred again, and Bea is free for it.
    await transfer(desk, ana, call_id, agent=bea.code)
    assert (await desk.agent_row(bea.id)).offer_call_id == call_id
    assert [t["status"] for t in (await record(desk, call_id))["transfers"]] == [
        "rejected",
        "ringing",
    ]


async def test_a_transfer_nobody_answers_rings_out_by_the_clock(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea")
    await transfer(desk, ana, call_id, agent=bea.code)
    # (That the clock's probe wakes for it: tests/calls/test_clock.py.)
    desk.later(TIMINGS.offer.total_seconds() - 1)
    await desk.alive(ana, bea, calls=(call_id,))
    await tick(desk)
    assert (await desk.agent_row(bea.id)).offer_call_id == call_id  # not yet
    desk.later(2)
    await desk.alive(ana, bea, calls=(call_id,))
    await tick(desk)
    assert (await desk.agent_row(bea.id)).offer_call_id is None
    assert (await desk.call(call_id)).agent_id == ana.id
    [shown] = (await desk.console(ana.id))["calls"]
    assert shown["transfer"]["status"] == "timeout"


async def test_a_target_going_away_while_it_rings_ends_the_transfer(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea")
    await transfer(desk, ana, call_id, agent=bea.code)
    await desk.set_presence(bea.id, Presence.busy)
    assert (await desk.agent_row(bea.id)).offer_call_id is None
    assert (await desk.call(call_id)).agent_id == ana.id
    [shown] = (await desk.console(ana.id))["calls"]
    assert shown["transfer"]["status"] == "timeout"


@pytest.mark.parametrize("who", ["customer", "agent"])
async def test_the_call_ending_while_a_transfer_rings_withdraws_it(
    desk: CallDesk, who: str
) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea")
    await transfer(desk, ana, call_id, agent=bea.code)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by=who))
    assert (await desk.agent_row(bea.id)).offer_call_id is None
    assert (await desk.console(bea.id))["offer"] is None
    with pytest.raises(OfferGone):
        await answer(desk, bea, call_id)
    assert [t["status"] for t in (await record(desk, call_id))["transfers"]] == ["withdrawn"]
    assert (await desk.agent_row(ana.id)).active_calls == 0


async def test_what_cannot_be_transferred(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea", capacity=1)
    carla = await desk.agent("Carla", available=False)
    with pytest.raises(TransferUnavailable):
        await transfer(desk, ana, call_id, agent=ana.code)  # herself
    with pytest.raises(TransferUnavailable):
        await transfer(desk, ana, call_id, agent=carla.code)  # offline
    with pytest.raises(AgentNotFound):
        await transfer(desk, ana, call_id, agent="nobody")
    with pytest.raises(CategoryNotFound):
        await transfer(desk, ana, call_id, category="nada")
    with pytest.raises(CallNotActive):
        await transfer(desk, bea, call_id, agent=carla.code)  # not Bea's call
    await transfer(desk, ana, call_id, agent=bea.code)
    with pytest.raises(TransferPending):
        await transfer(desk, ana, call_id, agent=bea.code)  # one at a time
    # Bea, at capacity with another call, cannot take a transfer.
    await refuse(desk, bea, call_id)
    other = await desk.customer("Otra")  # any agent: rings on Bea, the free one
    await answer(desk, bea, other)
    with pytest.raises(TransferUnavailable):
        await transfer(desk, ana, call_id, agent=bea.code)
    # An empty category has nobody to ring.
    empty = await desk.category("Vacía")
    with pytest.raises(TransferUnavailable):
        await transfer(desk, ana, call_id, category=empty)


async def test_the_console_lists_whom_it_may_transfer_to(desk: CallDesk) -> None:
    sales = await desk.category("Ventas")
    ana = await desk.agent("Ana", sales)
    await desk.agent("Bea")
    await desk.agent("Carla", available=False)
    async with inspecting(desk.sessions) as session:
        found = await transfers.targets(
            session, partner_id=desk.partner.id, agent_id=ana.id, now=desk.now, timings=TIMINGS
        )
    assert found["type"] == "directory"
    assert [(a["name"], a["presence"], a["free"]) for a in found["agents"]] == [
        ("Bea", "available", True),
        ("Carla", "offline", False),
    ]
    assert found["categories"] == [{"code": sales, "name": "Ventas"}]


async def test_another_partners_agents_are_not_targets(
    desk: CallDesk, client: httpx.AsyncClient
) -> None:
    from tests.support.factories import make_partner

    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    theirs = CallDesk(
        sessions=desk.sessions,
        client=client,
        partner=await make_partner(desk.sessions, products=["call"]),
    )
    eva = await theirs.agent("Eva")
    with pytest.raises(AgentNotFound):
        await transfer(desk, ana, call_id, agent=eva.code)


async def test_a_call_handed_over_is_no_longer_the_first_agents_to_end(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await connected(desk, sales, ana)
    bea = await desk.agent("Bea")
    await transfer(desk, ana, call_id, agent=bea.code)
    await answer(desk, bea, call_id)
    # Ana's console had not heard yet: its hang-up ends nothing.
    ended = await desk.run(
        lambda s, o: ending.hang_up(
            s, o, call_id=call_id, now=desk.now, by="agent", agent_id=ana.id
        )
    )
    assert ended is False
    assert (await desk.call(call_id)).status == CallStatus.connected
    # Handed back to Ana, then ended: her console no longer says it went to Bea.
    await desk.alive(ana, bea, calls=(call_id,))
    await transfer(desk, bea, call_id, agent=ana.code)
    await answer(desk, ana, call_id)
    assert (await desk.console(ana.id))["handed_over"] == []
    assert [h["call_id"] for h in (await desk.console(bea.id))["handed_over"]] == [call_id]
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="agent"))
    assert [leg["agent"] for leg in (await record(desk, call_id))["legs"]] == [
        ana.code,
        bea.code,
        ana.code,
    ]
    # Both see it among their recent calls, and may read its chat.
    for agent in (ana, bea):
        recent = (await desk.console(agent.id))["recent"]
        assert [c["call_id"] for c in recent] == [call_id]
        async with inspecting(desk.sessions) as session:
            shown = await transcripts.for_console(session, agent_id=agent.id, call_id=call_id)
        assert shown["messages"] == []
    listed = await desk.client.get(
        "/v1/calls", params={"agent": bea.code}, headers=desk.partner.auth
    )
    assert [c["id"] for c in listed.json()["data"]] == [call_id]
