"""Business hours and callback requests, on SQLite and PostgreSQL: a call joining outside its
desk's hours (hand-moved clock), the customer's request from the page, the agents' consoles
and the partner's API and webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from portero.calls import callbacks, hours, queue
from portero.calls.errors import CallbackNotFound
from portero.calls.models import CLOSED, Call, CallStatus
from portero.kit.clock import utcnow
from portero.kit.db import session_scope
from portero.launches import opening
from portero.settings import Settings
from portero.webhooks.models import WebhookEvent
from tests.conftest import make_settings
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting
from tests.support.factories import make_partner, open_link

CALLBACK = "/play/api/call/callback"
# Weekdays 09:00-18:00 in Madrid; Monday 7 December 2026 at 10:00 there is 09:00 UTC.
WEEKDAYS = {
    "time_zone": "Europe/Madrid",
    "weekly": {
        d: [{"opens": "09:00", "closes": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    "closed_dates": ["2026-12-08"],
    "offline_message": "Abrimos de lunes a viernes, de 9 a 18 h.",
}
MONDAY_OPEN = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MONDAY_EVENING = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)  # 19:30 in Madrid
HOLIDAY = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # a weekday, closed all day


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The webhook endpoint below is on loopback; nothing is delivered to it (no engine runs).
    return make_settings(database_url, allow_private_webhook_urls=True)


@pytest.fixture
async def other_desk(desk: CallDesk) -> CallDesk:
    partner = await make_partner(desk.sessions, products=["call"])
    return CallDesk(sessions=desk.sessions, client=desk.client, partner=partner)


async def set_hours(desk: CallDesk, body: dict[str, Any], category: str | None = None) -> None:
    path = f"/v1/call-categories/{category}/hours" if category else "/v1/call-hours"
    answer = await desk.client.put(path, json=body, headers=desk.partner.auth)
    assert answer.status_code == 200, answer.text


def closed_now() -> dict[str, Any]:
    """Hours that leave the desk closed at this real moment (open only two days from now)."""
    later = (utcnow() + timedelta(days=2)).strftime("%a").lower()
    return {"time_zone": "UTC", "weekly": {later: [{"opens": "10:00", "closes": "11:00"}]}}


async def missed_call_page(desk: CallDesk, **params: Any) -> tuple[str, dict[str, str]]:
    """A customer page whose call joined a closed desk (real time: the page's requests are
    answered at the real time); its call and its bearer header."""
    await set_hours(desk, closed_now() | {"offline_message": "Volvemos mañana."})
    bearer = await open_link(desk.client, await desk.customer_link(**params))
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(
            session, token=bearer["Authorization"].removeprefix("Bearer ")
        )
    desk.now = utcnow()
    call_id = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    return call_id, bearer


@pytest.fixture
async def callback_hook(desk: CallDesk) -> AsyncIterator[None]:
    """An endpoint taking the callbacks' events, removed with its deliveries afterwards (the
    database is shared by the run)."""
    made = await desk.client.post(
        "/v1/webhook-endpoints",
        json={
            "url": "http://127.0.0.1:9/hooks",
            "enabled_events": ["callback.requested", "callback.done"],
        },
        headers=desk.partner.auth,
    )
    assert made.status_code == 201, made.text
    yield
    removed = await desk.client.delete(
        f"/v1/webhook-endpoints/{made.json()['id']}", headers=desk.partner.auth
    )
    assert removed.status_code == 204, removed.text


async def events_of(desk: CallDesk) -> list[tuple[str, dict[str, Any]]]:
    async with inspecting(desk.sessions) as session:
        found = await session.execute(
            select(WebhookEvent.type, WebhookEvent.data)
            .where(WebhookEvent.partner_id == desk.partner.id)
            .order_by(WebhookEvent.id)
        )
        return [(kind, data) for kind, data in found.all()]


# --- Hours: when a call joins -------------------------------------------------------------------


async def test_a_call_joining_outside_the_hours_is_missed_at_once_and_told_why(
    desk: CallDesk,
) -> None:
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    await set_hours(desk, WEEKDAYS)
    launch = await desk.customer_link(category_code=sales)
    context = await desk.context_of(launch)

    desk.now = MONDAY_EVENING
    closed = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    call = await desk.call(closed)
    assert (call.status, call.ended_by, call.ended_at) == ("missed", CLOSED, MONDAY_EVENING)
    state = await desk.customer_state(closed)
    assert (state["closed"], state["offline_message"], state["callback"]) == (
        True, WEEKDAYS["offline_message"], None,
    )  # fmt: skip
    # Still closed the next day (a closed date): the page joins the same missed call.
    desk.now = HOLIDAY
    again = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    assert again == closed
    # Open: a new request, ringing on Ana, who is there.
    desk.now = MONDAY_OPEN + timedelta(days=7)
    await desk.alive(ana)
    opened = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    assert opened != closed
    assert ((await desk.call(opened)).status, (await desk.call(opened)).agent_id) == (
        "ringing", ana.id,
    )  # fmt: skip


async def test_a_categorys_own_hours_stand_in_for_the_partners(desk: CallDesk) -> None:
    sales, night = await desk.category("Ventas"), await desk.category("Noche")
    await desk.agent("Ana", sales, night)
    await set_hours(desk, WEEKDAYS)
    overnight = {"mon": [{"opens": "19:00", "closes": "07:00"}]}
    await set_hours(desk, {"time_zone": "Europe/Madrid", "weekly": overnight}, category=night)
    desk.now = MONDAY_EVENING
    by_sales = await desk.customer(category_code=sales)
    by_night = await desk.customer("Lola", category_code=night)
    assert (await desk.call(by_sales)).status == CallStatus.missed
    assert (await desk.call(by_night)).status == CallStatus.ringing

    cleared = await desk.client.delete(
        f"/v1/call-categories/{night}/hours", headers=desk.partner.auth
    )
    assert cleared.json() == {"object": "call_hours", "category": night, "hours": None}
    desk.later(120)
    third = await desk.customer("Pepe", category_code=night)
    assert (await desk.call(third)).ended_by == CLOSED  # the partner's hours again


async def test_without_hours_the_desk_is_always_open_and_a_waiting_call_is_not_cut_off(
    desk: CallDesk,
) -> None:
    sales = await desk.category()
    desk.now = MONDAY_EVENING
    waiting = await desk.customer(category_code=sales)
    assert (await desk.call(waiting)).status == CallStatus.waiting
    # Hours set while it waits: it keeps waiting until it is answered or gives up.
    await set_hours(desk, WEEKDAYS)
    desk.later(5)
    await desk.alive(calls=(waiting,))
    assert (await desk.call(waiting)).status == CallStatus.waiting


async def test_the_hours_api_sets_reads_and_clears(desk: CallDesk) -> None:
    auth = desk.partner.auth
    assert (await desk.client.get("/v1/call-hours", headers=auth)).json()["hours"] is None
    await set_hours(desk, WEEKDAYS)
    read = (await desk.client.get("/v1/call-hours", headers=auth)).json()
    assert read["hours"]["time_zone"] == "Europe/Madrid"
    assert read["hours"]["weekly"]["fri"] == [{"opens": "09:00", "closes": "18:00"}]
    assert read["hours"]["closed_dates"] == ["2026-12-08"]
    cleared = await desk.client.delete("/v1/call-hours", headers=auth)
    assert cleared.json()["hours"] is None
    async with inspecting(desk.sessions) as session:
        assert await hours.partner_default(session, partner_id=desk.partner.id) is None


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"time_zone": "Mars/Olympus", "weekly": {}}, "parameter_invalid", "time_zone"),
        ({"time_zone": "Europe", "weekly": {}}, "parameter_invalid", "time_zone"),
        ({"time_zone": "UTC", "weekly": {"mon": [{"opens": "9", "closes": "18:00"}]}},
         "parameter_invalid", "weekly.mon.0.opens"),
        ({"weekly": {}}, "parameter_missing", "time_zone"),
        ({"time_zone": "UTC", "weekly": {}, "every": "day"}, "parameter_unknown", "every"),
    ],
)  # fmt: skip
async def test_hours_that_do_not_hold_up_are_the_native_400(
    desk: CallDesk, body: dict[str, Any], code: str, param: str
) -> None:
    answer = await desk.client.put("/v1/call-hours", json=body, headers=desk.partner.auth)
    assert answer.status_code == 400, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["param"]) == (code, param)


async def test_hours_of_an_unknown_category_are_a_404(desk: CallDesk) -> None:
    answer = await desk.client.put(
        "/v1/call-categories/nope/hours", json=WEEKDAYS, headers=desk.partner.auth
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "resource_missing"


# --- Callback requests --------------------------------------------------------------------------


@pytest.mark.usefixtures("callback_hook")
async def test_a_missed_call_takes_one_callback_request_listed_in_the_api_and_its_webhook(
    desk: CallDesk,
) -> None:
    call_id, bearer = await missed_call_page(desk)
    preferred = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    body = {"preferred_at": preferred.isoformat(), "message": "  Sobre mi pedido  "}

    answer = await desk.client.post(CALLBACK, json=body, headers=bearer)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert (made["object"], made["call_id"], made["status"], made["message"]) == (
        "callback_request", call_id, "open", "Sobre mi pedido",
    )  # fmt: skip
    again = await desk.client.post(CALLBACK, json={}, headers=bearer)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "callback_not_allowed"

    listed = (await desk.client.get("/v1/callbacks", headers=desk.partner.auth)).json()
    assert [item["id"] for item in listed["data"]] == [made["id"]]
    item = listed["data"][0]
    assert item["customer"]["name"] == "Estarly"
    assert item["customer"]["cellphone"] == "+584141315854"
    assert datetime.fromisoformat(item["preferred_at"]) == preferred
    assert (await desk.customer_state(call_id))["callback"] == {"status": "open"}
    assert [(kind, data["id"]) for kind, data in await events_of(desk)] == [
        ("callback.requested", made["id"])
    ]


@pytest.mark.usefixtures("callback_hook")
async def test_marking_done_through_the_api_fires_once_and_leaves_the_console(
    desk: CallDesk,
) -> None:
    ana = await desk.agent("Ana")  # serves every call of no category
    _call_id, bearer = await missed_call_page(desk)
    made = (await desk.client.post(CALLBACK, json={}, headers=bearer)).json()
    console = await desk.console(ana.id)
    assert [request["id"] for request in console["callbacks"]] == [made["id"]]

    path = f"/v1/callbacks/{made['id']}"
    done = await desk.client.patch(path, json={"status": "done"}, headers=desk.partner.auth)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["done_by"]) == ("done", "api")
    twice = await desk.client.patch(path, json={"status": "done"}, headers=desk.partner.auth)
    assert twice.json()["done_at"] == done.json()["done_at"]
    assert [kind for kind, _ in await events_of(desk)] == ["callback.requested", "callback.done"]
    assert (await desk.console(ana.id))["callbacks"] == []
    still_open = await desk.client.get("/v1/callbacks?status=open", headers=desk.partner.auth)
    assert still_open.json()["data"] == []


async def test_an_agent_marks_a_callback_done_and_only_agents_who_could_take_it_see_it(
    desk: CallDesk,
) -> None:
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    ana, luis = await desk.agent("Ana", sales), await desk.agent("Luis", support)
    _call_id, bearer = await missed_call_page(desk, category_code=sales)
    made = (await desk.client.post(CALLBACK, json={}, headers=bearer)).json()
    assert [r["id"] for r in (await desk.console(ana.id))["callbacks"]] == [made["id"]]
    assert (await desk.console(luis.id))["callbacks"] == []

    done = await desk.run(
        lambda s, o: callbacks.mark_done(
            s, o, partner_id=desk.partner.id, callback_id=made["id"], now=desk.now,
            agent_id=ana.id,
        )
    )  # fmt: skip
    assert (done.status, done.done_by) == ("done", ana.code)
    assert desk.outbox.messages.keys() >= {f"portero:agent:{ana.id}"}
    assert (await desk.console(ana.id))["callbacks"] == []


async def test_a_call_nobody_answered_in_time_takes_a_callback_too(desk: CallDesk) -> None:
    bearer = await open_link(desk.client, await desk.customer_link())
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(
            session, token=bearer["Authorization"].removeprefix("Bearer ")
        )
    desk.now = utcnow() - TIMINGS.wait - timedelta(seconds=5)
    call_id = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    desk.now = utcnow()
    await desk.run(lambda s, o: queue.give_up_overdue(s, o, now=desk.now, timings=TIMINGS))
    state = await desk.customer_state(call_id)
    assert (state["status"], state["closed"], state["offline_message"]) == ("missed", False, None)
    answer = await desk.client.post(CALLBACK, json={"message": "Llamadme"}, headers=bearer)
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("status", ["waiting", "completed", "abandoned"])
async def test_only_a_missed_call_takes_a_callback(desk: CallDesk, status: str) -> None:
    bearer = await open_link(desk.client, await desk.customer_link())
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(
            session, token=bearer["Authorization"].removeprefix("Bearer ")
        )
    desk.now = utcnow()
    call_id = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    if status != "waiting":
        async with session_scope(desk.sessions) as session:
            await session.execute(
                update(Call).where(Call.id == call_id).values(status=status, ended_at=desk.now)
            )
    answer = await desk.client.post(CALLBACK, json={}, headers=bearer)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "callback_not_allowed"
    assert (await desk.client.get("/v1/callbacks", headers=desk.partner.auth)).json()["data"] == []


async def test_a_request_a_day_after_the_call_is_refused(desk: CallDesk) -> None:
    call_id, bearer = await missed_call_page(desk)
    async with session_scope(desk.sessions) as session:
        await session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(ended_at=utcnow() - callbacks.CALLBACK_WINDOW - timedelta(minutes=1))
        )
    answer = await desk.client.post(CALLBACK, json={}, headers=bearer)
    assert answer.status_code == 409


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"preferred_at": "2026-12-08T10:00:00"}, "parameter_invalid", "preferred_at"),
        ({"preferred_at": "mañana"}, "parameter_invalid", "preferred_at"),
        ({"message": "x" * 501}, "parameter_too_long", "message"),
        ({"phone": "+34600000000"}, "parameter_unknown", "phone"),
    ],
)
async def test_a_bad_callback_request_is_the_native_400_and_keeps_nothing(
    desk: CallDesk, body: dict[str, Any], code: str, param: str
) -> None:
    _call_id, bearer = await missed_call_page(desk)
    answer = await desk.client.post(CALLBACK, json=body, headers=bearer)
    assert answer.status_code == 400, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["param"]) == (code, param)
    assert (await desk.client.get("/v1/callbacks", headers=desk.partner.auth)).json()["data"] == []


@pytest.mark.parametrize("days", [-1, 31])
async def test_a_preferred_time_past_or_beyond_a_month_is_refused(
    desk: CallDesk, days: int
) -> None:
    _call_id, bearer = await missed_call_page(desk)
    when = (utcnow() + timedelta(days=days)).isoformat()
    answer = await desk.client.post(CALLBACK, json={"preferred_at": when}, headers=bearer)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == "preferred_at"


async def test_another_partners_callback_is_missing(desk: CallDesk, other_desk: CallDesk) -> None:
    _call_id, bearer = await missed_call_page(desk)
    made = (await desk.client.post(CALLBACK, json={}, headers=bearer)).json()
    for request in (
        other_desk.client.get(f"/v1/callbacks/{made['id']}", headers=other_desk.partner.auth),
        other_desk.client.patch(
            f"/v1/callbacks/{made['id']}", json={"status": "done"}, headers=other_desk.partner.auth
        ),
    ):
        answer = await request
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "resource_missing"
    assert (await desk.client.get(f"/v1/callbacks/{made['id']}", headers=desk.partner.auth)).json()[
        "status"
    ] == "open"


async def test_a_reload_while_the_desk_is_closed_is_the_same_missed_call(desk: CallDesk) -> None:
    call_id, bearer = await missed_call_page(desk)
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(
            session, token=bearer["Authorization"].removeprefix("Bearer ")
        )
    desk.later(30)
    again = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    assert again == call_id
    listed = (await desk.client.get("/v1/calls", headers=desk.partner.auth)).json()["data"]
    assert [call["id"] for call in listed] == [call_id]


async def test_a_link_has_one_open_callback_request_at_a_time(desk: CallDesk) -> None:
    first, bearer = await missed_call_page(desk)
    made = await desk.client.post(CALLBACK, json={}, headers=bearer)
    assert made.status_code == 201, made.text
    # The desk opens; the customer tries again, and nobody answers in time either.
    await desk.client.delete("/v1/call-hours", headers=desk.partner.auth)
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(
            session, token=bearer["Authorization"].removeprefix("Bearer ")
        )
    desk.now = utcnow()
    second = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    assert second != first
    desk.later(TIMINGS.wait.total_seconds() + 1)
    await desk.run(lambda s, o: queue.give_up_overdue(s, o, now=desk.now, timings=TIMINGS))
    refused = await desk.client.post(CALLBACK, json={}, headers=bearer)
    assert refused.status_code == 409, refused.text
    # Once the first is done, the second missed call may take one.
    await desk.client.patch(
        f"/v1/callbacks/{made.json()['id']}", json={"status": "done"}, headers=desk.partner.auth
    )
    taken = await desk.client.post(CALLBACK, json={}, headers=bearer)
    assert taken.status_code == 201, taken.text
    assert taken.json()["call_id"] == second


async def test_an_agent_marks_only_the_requests_their_console_lists(
    desk: CallDesk, other_desk: CallDesk
) -> None:
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    luis = await desk.agent("Luis", support)
    stranger = await other_desk.agent("Otro")
    _call_id, bearer = await missed_call_page(desk, category_code=sales)
    made = (await desk.client.post(CALLBACK, json={}, headers=bearer)).json()
    for partner_id, agent in ((desk.partner.id, luis), (other_desk.partner.id, stranger)):
        with pytest.raises(CallbackNotFound):
            await desk.run(
                lambda s, o, p=partner_id, a=agent: callbacks.mark_done(
                    s, o, partner_id=p, callback_id=made["id"], now=desk.now, agent_id=a.id
                )
            )
    still = await desk.client.get(f"/v1/callbacks/{made['id']}", headers=desk.partner.auth)
    assert still.json()["status"] == "open"
