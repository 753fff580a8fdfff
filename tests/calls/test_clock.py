"""The call clock's probe, on SQLite and PostgreSQL: a look at a quiet database is one
statement, and the probe never hides what a step of the clock must do, whoever made the rows.

These tests run on a database of their own, emptied of open calls and present agents before
each: anything left over from other tests would make the probe report work, and a probe that
missed a deadline would then go unnoticed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from portero.app import create_app
from portero.calls import ending, routing, transfers
from portero.calls.bus import LocalBus
from portero.calls.dispatcher import Dispatcher, Outlook, look, outlook
from portero.calls.models import (
    OPEN,
    Call,
    CallAgent,
    CallStatus,
    CallTransfer,
    OfferOutcome,
    Presence,
    TransferStatus,
)
from portero.kit.clock import utcnow
from tests.conftest import PUBLIC_URL, make_settings, running
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting
from tests.support.factories import make_partner
from tests.support.statements import statements_sent

GRACE = TIMINGS.grace.total_seconds()


@pytest.fixture(scope="module")
async def clock_app(fresh_database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(fresh_database_url))
    async with running(application):
        yield application


@pytest.fixture
async def desk(clock_app: FastAPI) -> AsyncIterator[CallDesk]:
    """A desk on the quiet database: every earlier test's calls ended, its agents offline."""
    sessions = clock_app.state.runtime.sessions
    async with inspecting(sessions) as session:
        ended = {"status": CallStatus.abandoned.value, "offer_expires_at": None}
        await session.execute(update(Call).where(Call.status.in_(OPEN)).values(**ended))
        await session.execute(
            update(CallAgent).values(presence=Presence.offline.value, offer_call_id=None)
        )
        await session.execute(
            update(CallTransfer)
            .where(CallTransfer.status == TransferStatus.ringing.value)
            .values(status=TransferStatus.withdrawn.value)
        )
    transport = httpx.ASGITransport(app=clock_app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        partner = await make_partner(sessions, products=["call"])
        yield CallDesk(sessions=sessions, client=client, partner=partner)


async def look_now(desk: CallDesk) -> Outlook:
    """One look of the clock at the desk's time, as a process's dispatcher makes it."""
    return await look(desk.sessions, LocalBus(), now=desk.now, timings=TIMINGS)


async def accept(desk: CallDesk, agent: CallAgent, call_id: str) -> None:
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=agent.id, call_id=call_id, now=desk.now)
    )


def test_the_clock_sleeps_until_the_earliest_deadline_within_the_interval() -> None:
    now = utcnow()
    assert Outlook(False, None).seconds_to_wait(now, at_most=1.0) == 1.0
    soon = Outlook(False, now + timedelta(seconds=0.25))
    assert soon.seconds_to_wait(now, at_most=1.0) == 0.25
    assert not soon.due(now)
    assert soon.due(now + timedelta(seconds=0.25))
    assert Outlook(False, now + timedelta(seconds=30)).seconds_to_wait(now, at_most=1.0) == 1.0
    assert Outlook(False, now - timedelta(seconds=1)).seconds_to_wait(now, at_most=1.0) == 0.0


async def test_a_look_at_a_quiet_database_is_one_statement(desk: CallDesk) -> None:
    with statements_sent(desk.sessions.kw["bind"]) as statements:
        found = await look_now(desk)
    assert found == Outlook(waiting=False, next_due=None)
    assert len(statements) == 1, statements
    # An agent who waits for calls costs no more: the clock looks, and sees nothing due yet.
    await desk.agent("Ana")
    found = await look_now(desk)
    assert (found.waiting, found.next_due) == (False, desk.now + TIMINGS.grace)


async def test_an_offer_rings_out_on_the_look_at_its_end(desk: CallDesk) -> None:
    ana = await desk.agent("Ana")
    desk.later(1)
    berta = await desk.agent("Berta")
    call_id = await desk.customer()
    assert (await desk.call(call_id)).agent_id == ana.id
    desk.later(TIMINGS.offer.total_seconds() - 0.5)
    await desk.alive(ana, berta, calls=(call_id,))
    found = await look_now(desk)
    assert not found.due(desk.now)
    assert found.seconds_to_wait(desk.now, at_most=1.0) == 0.5  # it wakes at the offer's end
    assert (await desk.call(call_id)).agent_id == ana.id
    desk.later(0.5)
    assert (await look_now(desk)).due(desk.now)
    call = await desk.call(call_id)
    assert (call.status, call.agent_id) == (CallStatus.ringing, berta.id)
    assert await desk.offers(call_id) == [(ana.id, OfferOutcome.timeout), (berta.id, None)]


async def test_an_agent_another_process_made_free_gets_the_waiting_call(desk: CallDesk) -> None:
    call_id = await desk.customer()
    ana = await desk.agent("Ana", available=False)
    # Available as another process's console set it, without routing here.
    async with inspecting(desk.sessions) as session:
        await session.execute(
            update(CallAgent)
            .where(CallAgent.id == ana.id)
            .values(presence=Presence.available.value, seen_at=desk.now, idle_since=desk.now)
        )
    found = await look_now(desk)
    assert found.waiting
    assert not found.due(desk.now)  # nothing by the clock: routing alone
    call = await desk.call(call_id)
    assert (call.status, call.agent_id) == (CallStatus.ringing, ana.id)


async def test_a_call_waiting_behind_a_finished_one_is_offered_on_the_next_look(
    desk: CallDesk,
) -> None:
    ana = await desk.agent("Ana")
    first, second = await desk.customer("A"), await desk.customer("B")
    await accept(desk, ana, first)
    # Hung up in another process: nothing routes the next caller but the clock.
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=first, now=desk.now, by="agent"))
    assert (await desk.call(second)).status == CallStatus.waiting
    assert (await look_now(desk)).waiting
    assert (await desk.call(second)).agent_id == ana.id


async def test_a_silent_console_goes_offline_on_the_look_at_its_grace_end(
    desk: CallDesk,
) -> None:
    ana = await desk.agent("Ana")
    desk.later(GRACE - 0.5)
    assert not (await look_now(desk)).due(desk.now)
    assert (await desk.agent_row(ana.id)).presence == Presence.available
    desk.later(0.5)
    assert (await look_now(desk)).due(desk.now)
    assert (await desk.agent_row(ana.id)).presence == Presence.offline


async def test_a_waiting_call_is_missed_on_the_look_at_its_waiting_time(desk: CallDesk) -> None:
    call_id = await desk.customer()
    desk.later(TIMINGS.wait.total_seconds() - 1)
    await desk.alive(calls=(call_id,))
    found = await look_now(desk)
    assert (found.waiting, found.due(desk.now)) == (True, False)
    assert (await desk.call(call_id)).status == CallStatus.waiting
    desk.later(1)
    await desk.alive(calls=(call_id,))
    assert (await look_now(desk)).due(desk.now)
    assert (await desk.call(call_id)).status == CallStatus.missed


async def test_a_silent_customer_page_leaves_the_queue_on_the_look_at_its_grace_end(
    desk: CallDesk,
) -> None:
    call_id = await desk.customer()
    desk.later(GRACE - 0.5)
    assert not (await look_now(desk)).due(desk.now)
    desk.later(0.5)
    assert (await look_now(desk)).due(desk.now)
    call = await desk.call(call_id)
    assert (call.status, call.ended_by) == (CallStatus.abandoned, "system")


@pytest.mark.parametrize("silent", ["customer", "agent"])
async def test_a_call_with_a_silent_side_is_dropped_on_the_look_at_its_grace_end(
    desk: CallDesk, silent: str
) -> None:
    ana = await desk.agent("Ana")
    call_id = await desk.customer()
    await accept(desk, ana, call_id)
    # Offline while talking: only the call's own record of its agent's console is left to
    # watch (an agent offline is not otherwise the clock's concern).
    await desk.set_presence(ana.id, Presence.offline)
    looks = []
    for seconds in (GRACE - 0.5, 0.5):
        desk.later(seconds)
        if silent == "agent":
            await desk.alive(calls=(call_id,))
        else:
            await desk.alive(ana)
        assert (await desk.call(call_id)).status == CallStatus.connected
        looks.append((await look_now(desk)).due(desk.now))
    assert looks == [False, True]
    call = await desk.call(call_id)
    assert (call.status, call.ended_by) == (CallStatus.completed, "system")
    assert (await desk.agent_row(ana.id)).active_calls == 0


async def test_a_running_clock_routes_work_another_process_left_within_its_interval(
    desk: CallDesk,
) -> None:
    desk.now = utcnow()
    call_id = await desk.customer()
    ana = await desk.agent("Ana", available=False)
    dispatcher = Dispatcher(desk.sessions, LocalBus(), TIMINGS, interval=0.1)
    dispatcher.start()
    try:
        async with inspecting(desk.sessions) as session:
            await session.execute(
                update(CallAgent)
                .where(CallAgent.id == ana.id)
                .values(presence=Presence.available.value, seen_at=utcnow())
            )
        for _ in range(100):
            if (await desk.call(call_id)).status == CallStatus.ringing:
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop()
    assert (await desk.call(call_id)).agent_id == ana.id


async def test_a_ringing_transfer_is_a_deadline_of_the_probe(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    call_id = await desk.customer(category_code=sales)
    await desk.run(
        lambda s, o: transfers.answer_offer(s, o, agent_id=ana.id, call_id=call_id, now=desk.now)
    )
    bea = await desk.agent("Bea")
    await desk.run(
        lambda s, o: transfers.start(
            s, o, agent_id=ana.id, call_id=call_id, to_agent=bea.code, to_category=None,
            note=None, now=desk.now, timings=TIMINGS,
        )
    )  # fmt: skip
    rings_out_at = desk.now + TIMINGS.offer
    # Heartbeats after it: theirs fall later than the transfer's ring-out.
    desk.later(5)
    await desk.alive(ana, bea, calls=(call_id,))
    async with inspecting(desk.sessions) as session:
        assert (await outlook(session, timings=TIMINGS)).next_due == rings_out_at
