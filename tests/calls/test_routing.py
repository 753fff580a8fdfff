"""Routing rules, on SQLite and PostgreSQL, with the clock moved by hand."""

from __future__ import annotations

import pytest

from portero.calls import ending, presence, queue, routing
from portero.calls.errors import CallTaken, OfferGone
from portero.calls.models import CallStatus, OfferOutcome, Presence
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting


async def accept(desk: CallDesk, agent_id: int, call_id: str) -> None:
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=agent_id, call_id=call_id, now=desk.now)
    )


async def reject(desk: CallDesk, agent_id: int, call_id: str) -> None:
    await desk.run(
        lambda s, o: routing.decline(
            s, o, agent_id=agent_id, call_id=call_id, now=desk.now, timings=TIMINGS
        )
    )


async def tick(desk: CallDesk) -> None:
    from portero.calls.dispatcher import tick as run_tick

    await desk.run(lambda s, o: run_tick(s, o, now=desk.now, timings=TIMINGS))


async def test_a_category_link_rings_the_longest_idle_agent_of_that_category(
    desk: CallDesk,
) -> None:
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    first = await desk.agent("Ana", sales)
    desk.later(5)
    second = await desk.agent("Berta", sales)
    other = await desk.agent("Carlos", support)
    call_id = await desk.customer(category_code=sales)
    call = await desk.call(call_id)
    assert call.status == CallStatus.ringing
    assert call.agent_id == first.id  # idle since earlier than Berta
    assert (await desk.agent_row(first.id)).offer_call_id == call_id
    assert (await desk.agent_row(second.id)).offer_call_id is None
    assert (await desk.agent_row(other.id)).offer_call_id is None


async def test_idle_time_counts_from_the_end_of_the_last_call(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    desk.later(1)
    berta = await desk.agent("Berta", sales)
    first = await desk.customer(category_code=sales)
    assert (await desk.call(first)).agent_id == ana.id
    desk.later(1)
    await accept(desk, ana.id, first)
    desk.later(15)
    await desk.alive(ana, berta, calls=(first,))
    desk.later(15)
    await desk.alive(ana, berta, calls=(first,))
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=first, now=desk.now, by="agent"))
    # Ana has just finished a call; Berta has waited since before it began.
    second = await desk.customer(category_code=sales)
    assert (await desk.call(second)).agent_id == berta.id


async def test_an_agent_link_waits_for_that_agent_only(desk: CallDesk) -> None:
    await desk.agent("Ana")
    wanted = await desk.agent("Berta", available=False)
    call_id = await desk.customer(agent_code=wanted.code)
    assert (await desk.call(call_id)).status == CallStatus.waiting
    desk.later(3)
    await desk.set_presence(wanted.id, Presence.available)
    call = await desk.call(call_id)
    assert call.status == CallStatus.ringing
    assert call.agent_id == wanted.id


async def test_a_link_without_target_goes_to_any_available_agent(desk: CallDesk) -> None:
    sales = await desk.category()
    await desk.agent("Offline", sales, available=False)
    busy = await desk.agent("Busy", sales, available=False)
    await desk.set_presence(busy.id, Presence.busy)
    free = await desk.agent("Free")  # serves no category: still one of the partner's agents
    call_id = await desk.customer()
    assert (await desk.call(call_id)).agent_id == free.id


async def test_agents_of_another_partner_are_never_offered(desk: CallDesk) -> None:
    from portero.calls import directory as service
    from tests.support.factories import make_partner

    other_partner = await make_partner(desk.sessions, products=["call"])
    outsider, _ = await desk.run(
        lambda s, _o: service.add_agent(s, partner_id=other_partner.id, name="Outsider")
    )
    await desk.set_presence(outsider.id, Presence.available)
    call_id = await desk.customer()
    assert (await desk.call(call_id)).status == CallStatus.waiting


async def test_reject_and_timeout_cascade_to_the_next_agent_then_miss(desk: CallDesk) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    desk.later(1)
    berta = await desk.agent("Berta", sales)
    call_id = await desk.customer(category_code=sales)
    assert (await desk.call(call_id)).agent_id == ana.id

    desk.later(2)
    await reject(desk, ana.id, call_id)
    call = await desk.call(call_id)
    assert (call.status, call.agent_id) == (CallStatus.ringing, berta.id)

    # Berta does not answer: at the offer's end the call goes back to the queue; nobody else is
    # left who has not declined it, so it waits…
    desk.later(TIMINGS.offer.total_seconds() - 0.5)
    await desk.alive(ana, berta, calls=(call_id,))
    await tick(desk)
    assert (await desk.call(call_id)).agent_id == berta.id  # still ringing, not yet expired
    desk.later(1)
    await desk.alive(ana, berta, calls=(call_id,))
    await tick(desk)
    call = await desk.call(call_id)
    assert (call.status, call.agent_id) == (CallStatus.waiting, None)
    assert await desk.offers(call_id) == [
        (ana.id, OfferOutcome.rejected),
        (berta.id, OfferOutcome.timeout),
    ]
    assert (await desk.agent_row(berta.id)).offer_call_id is None

    # …until its waiting time is over: missed, and kept on the consoles of those who could
    # have taken it.
    desk.later(TIMINGS.wait.total_seconds())
    await desk.alive(ana, berta, calls=(call_id,))
    await tick(desk)
    assert (await desk.call(call_id)).status == CallStatus.missed
    state = await desk.customer_state(call_id)
    assert (state["status"], state["position"]) == ("missed", None)
    recent = (await desk.console(berta.id))["recent"]
    assert [(c["call_id"], c["status"]) for c in recent] == [(call_id, "missed")]
    assert recent[0]["customer"]["cellphone"] == "+584141315854"


async def test_with_nobody_available_the_customer_is_told_after_the_waiting_time(
    desk: CallDesk,
) -> None:
    call_id = await desk.customer()
    desk.later(TIMINGS.wait.total_seconds() - 1)
    await desk.run(lambda s, _o: queue.customer_seen(s, call_id=call_id, now=desk.now))
    await tick(desk)
    assert (await desk.call(call_id)).status == CallStatus.waiting
    desk.later(1)
    await tick(desk)
    call = await desk.call(call_id)
    assert (call.status, call.ended_by) == (CallStatus.missed, "system")


async def test_queue_positions_follow_arrival_within_each_queue(desk: CallDesk) -> None:
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    ana = await desk.agent("Ana", sales)
    calls = []
    for name in ("Uno", "Dos", "Tres"):
        calls.append(await desk.customer(name, category_code=sales))
        desk.later(1)
    elsewhere = await desk.customer("Otro", category_code=support)
    positions = [(await desk.customer_state(c))["position"] for c in calls]
    assert positions == [1, 2, 3]
    assert (await desk.customer_state(elsewhere))["position"] == 1
    assert (await desk.call(calls[0])).status == CallStatus.ringing

    await accept(desk, ana.id, calls[0])
    assert (await desk.customer_state(calls[0]))["position"] is None
    assert [(await desk.customer_state(c))["position"] for c in calls[1:]] == [1, 2]
    # The agent's name reaches the customer only once answered.
    assert (await desk.customer_state(calls[0]))["agent"] == {"name": "Ana"}
    assert (await desk.customer_state(calls[1]))["agent"] is None


async def test_an_agent_takes_as_many_calls_at_once_as_their_capacity(desk: CallDesk) -> None:
    ana = await desk.agent("Ana", capacity=2)
    first, second, third = [await desk.customer(n) for n in ("A", "B", "C")]
    assert (await desk.call(first)).status == CallStatus.ringing
    assert (await desk.call(second)).status == CallStatus.waiting  # one offer at a time
    await accept(desk, ana.id, first)
    # Room for one more: the next tick (or the nudge that follows an answer) offers the next.
    await tick(desk)
    assert (await desk.call(second)).status == CallStatus.ringing
    await accept(desk, ana.id, second)
    assert (await desk.agent_row(ana.id)).active_calls == 2
    assert (await desk.call(third)).status == CallStatus.waiting
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=first, now=desk.now, by="customer"))
    assert (await desk.call(third)).status == CallStatus.waiting
    await tick(desk)
    assert (await desk.call(third)).status == CallStatus.ringing


async def test_accepting_a_call_no_longer_offered_is_refused(desk: CallDesk) -> None:
    ana = await desk.agent("Ana")
    berta = await desk.agent("Berta")
    call_id = await desk.customer()
    ringing_on = (await desk.call(call_id)).agent_id
    other = berta.id if ringing_on == ana.id else ana.id
    with pytest.raises(OfferGone):
        await accept(desk, other, call_id)
    await reject(desk, ringing_on, call_id)
    with pytest.raises(OfferGone):
        await accept(desk, ringing_on, call_id)


async def test_a_silent_console_goes_offline_and_its_ringing_offer_moves_on(
    desk: CallDesk,
) -> None:
    ana = await desk.agent("Ana")
    desk.later(1)
    berta = await desk.agent("Berta")
    call_id = await desk.customer()
    assert (await desk.call(call_id)).agent_id == ana.id
    desk.later(TIMINGS.grace.total_seconds() - 2)
    await desk.run(lambda s, _o: presence.agent_seen(s, agent_id=berta.id, now=desk.now))
    await desk.run(lambda s, _o: queue.customer_seen(s, call_id=call_id, now=desk.now))
    desk.later(3)  # Ana silent for more than the grace period; Berta and the customer are not
    await tick(desk)
    assert (await desk.agent_row(ana.id)).presence == Presence.offline
    assert (await desk.agent_row(berta.id)).presence == Presence.available
    assert (await desk.call(call_id)).agent_id == berta.id
    assert (await desk.offers(call_id))[0] == (ana.id, OfferOutcome.timeout)


async def test_setting_busy_while_ringing_passes_the_offer_on(desk: CallDesk) -> None:
    ana = await desk.agent("Ana")
    desk.later(1)
    berta = await desk.agent("Berta")
    call_id = await desk.customer()
    await desk.set_presence(ana.id, Presence.busy)
    assert (await desk.call(call_id)).agent_id == berta.id


async def test_a_customer_who_leaves_while_ringing_stops_the_ringing(desk: CallDesk) -> None:
    ana = await desk.agent("Ana")
    call_id = await desk.customer()
    await desk.run(lambda s, o: queue.leave(s, o, call_id=call_id, now=desk.now))
    assert (await desk.call(call_id)).status == CallStatus.abandoned
    assert (await desk.agent_row(ana.id)).offer_call_id is None
    assert await desk.offers(call_id) == [(ana.id, OfferOutcome.withdrawn)]
    assert (await desk.console(ana.id))["offer"] is None


async def test_a_silent_customer_page_abandons_the_queue(desk: CallDesk) -> None:
    call_id = await desk.customer()
    desk.later(TIMINGS.grace.total_seconds() + 1)
    await tick(desk)
    call = await desk.call(call_id)
    assert (call.status, call.ended_by) == (CallStatus.abandoned, "system")


async def test_a_call_whose_console_went_silent_is_dropped_and_frees_the_agent(
    desk: CallDesk,
) -> None:
    ana = await desk.agent("Ana")
    call_id = await desk.customer()
    await accept(desk, ana.id, call_id)
    desk.later(TIMINGS.grace.total_seconds() + 1)
    await desk.run(lambda s, _o: queue.customer_seen(s, call_id=call_id, now=desk.now))
    await tick(desk)
    call = await desk.call(call_id)
    assert (call.status, call.ended_by) == (CallStatus.completed, "system")
    assert (await desk.agent_row(ana.id)).active_calls == 0


async def test_hang_up_completes_the_call_and_ends_the_link(desk: CallDesk) -> None:
    ana = await desk.agent("Ana")
    launch = await desk.customer_link()
    call_id = await desk.join(launch)
    desk.later(2)
    await accept(desk, ana.id, call_id)
    desk.later(75)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="agent"))
    call = await desk.call(call_id)
    assert (call.status, call.ended_by) == (CallStatus.completed, "agent")
    assert call.answered_at is not None
    assert call.ended_at is not None
    assert round((call.ended_at - call.answered_at).total_seconds()) == 75
    assert (await desk.agent_row(ana.id)).active_calls == 0
    recent = (await desk.console(ana.id))["recent"]
    assert recent[0]["duration_seconds"] == 75
    # Hanging up twice changes nothing.
    again = await desk.run(
        lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="customer")
    )
    assert again is False
    # Opening the link again shows that the call has ended.
    response = await desk.client.get(launch["url"], headers={"Accept-Language": "es"})
    assert response.status_code == 409  # like any used link, worded for a call
    assert "Esta llamada ha terminado" in response.text


async def test_a_live_call_belongs_to_the_play_session_that_started_it(desk: CallDesk) -> None:
    launch = await desk.customer_link()
    owner = await desk.context_of(launch)
    first = await desk.run(lambda s, o: queue.join(s, o, owner, now=desk.now, timings=TIMINGS))
    # A reload in that browser keeps its play session and rejoins the call.
    again = await desk.run(lambda s, o: queue.join(s, o, owner, now=desk.now, timings=TIMINGS))
    assert again == first
    # Anyone else who opens the link meanwhile is turned away, with nothing consumed.
    refused = await desk.client.get(launch["url"], headers={"Accept": "text/html"})
    assert refused.status_code == 409
    assert refused.headers["Portero-Link-Status"] == "call_in_progress"
    assert "ya está en curso" in refused.text  # the link's language
    await desk.run(lambda s, o: queue.leave(s, o, call_id=first, now=desk.now))
    third = await desk.join(launch)  # after leaving the queue, opening it asks again
    assert third != first
    assert (await desk.call(third)).status == CallStatus.waiting


async def test_a_second_browser_racing_the_first_cannot_join_its_call(desk: CallDesk) -> None:
    launch = await desk.customer_link()
    # Both opened the link before either joined: the first to join owns the call.
    owner, other = await desk.context_of(launch), await desk.context_of(launch)
    call_id = await desk.run(lambda s, o: queue.join(s, o, owner, now=desk.now, timings=TIMINGS))
    with pytest.raises(CallTaken):
        await desk.run(lambda s, o: queue.join(s, o, other, now=desk.now, timings=TIMINGS))
    assert (await desk.call(call_id)).play_session_id == owner.session_id


async def test_a_link_whose_agent_was_deleted_is_missed_not_sent_elsewhere(
    desk: CallDesk,
) -> None:
    from sqlalchemy import delete

    from portero.calls.models import CallAgent

    gone = await desk.agent("Gone")
    await desk.agent("Other")
    launch = await desk.customer_link(agent_code=gone.code)
    async with inspecting(desk.sessions) as session:
        await session.execute(delete(CallAgent).where(CallAgent.id == gone.id))
    call = await desk.call(await desk.join(launch))
    assert (call.status, call.agent_id, call.ended_by) == (CallStatus.missed, None, "system")
