"""The desk's figures on SQLite and PostgreSQL (hand-moved clock): per category and for calls of
no category, the live ones and the day's; `GET /v1/desk/stats`, the wallboard link, and the
Prometheus gauges."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from portero.calls import desk_gauges, desk_stats, ending, queue, routing, satisfaction
from portero.calls.models import Presence
from portero.kit import metrics
from portero.kit.db import session_scope
from portero.launches import opening
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.factories import make_partner, open_link

# Monday 7 December 2026, 10:00 UTC.
MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


async def figures(desk: CallDesk) -> dict[str | None, dict[str, Any]]:
    async with session_scope(desk.sessions) as session:
        stats = await desk_stats.for_partner(session, partner_id=desk.partner.id, now=desk.now)
    return {c.category: c.model_dump(mode="json") for c in stats.categories}


async def answered(desk: CallDesk, agent_id: int, call_id: str) -> None:
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=agent_id, call_id=call_id, now=desk.now)
    )


async def test_the_figures_of_each_category_now_and_since_midnight(desk: CallDesk) -> None:
    sales, support = await desk.category("Ventas"), await desk.category("Soporte")
    desk.now = MORNING - timedelta(days=1)  # yesterday: not today's
    ana = await desk.agent("Ana", sales)
    luis = await desk.agent("Luis", support, available=False)
    old = await desk.customer("Ayer", category_code=sales)
    await answered(desk, ana.id, old)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=old, now=desk.now, by="agent"))

    desk.now = MORNING
    await desk.alive(ana, luis)  # their consoles are open this morning
    first = await desk.customer("Carla", category_code=sales)  # rings on Ana
    desk.later(12)
    await answered(desk, ana.id, first)  # waited 12 s (it rings for 20)
    desk.later(60)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=first, now=desk.now, by="agent"))
    await desk.alive(ana, luis)
    second = await desk.customer("Dario", category_code=sales)  # rings on Ana again
    desk.later(8)
    await answered(desk, ana.id, second)  # waited 8 s, still talking
    await desk.customer("Eva", category_code=support)  # Luis is offline
    await desk.customer("Fede")  # no category: for any agent, and Ana is busy
    desk.later(90)

    found = await figures(desk)
    assert list(found) == [support, sales, None]  # by name, then calls of no category
    by_sales = found[sales]
    assert (by_sales["waiting"], by_sales["longest_wait_seconds"]) == (0, None)
    assert by_sales["presence"] == {"available": 1, "busy": 0, "offline": 0}
    assert [(a["name"], a["calls"]) for a in by_sales["agents"]] == [("Ana", 1)]
    talking = [
        (c["call_id"], c["agent_name"], c["duration_seconds"]) for c in by_sales["in_progress"]
    ]
    assert talking == [(second, "Ana", 90)]
    assert (by_sales["answered_today"], by_sales["missed_today"]) == (2, 0)
    assert (by_sales["average_wait_seconds"], by_sales["average_talk_seconds"]) == (10.0, 60.0)
    by_support = found[support]
    assert (by_support["waiting"], by_support["longest_wait_seconds"]) == (1, 90)
    assert by_support["presence"] == {"available": 0, "busy": 0, "offline": 1}
    assert found[None]["waiting"] == 1
    assert {a["name"] for a in found[None]["agents"]} == {"Ana", "Luis"}  # everyone serves it


async def test_missed_calls_and_ratings_count_for_the_desks_day(desk: CallDesk) -> None:
    sales = await desk.category("Ventas")
    ana = await desk.agent("Ana", sales)
    desk.now = MORNING
    launch = await desk.customer_link(category_code=sales)
    bearer = await open_link(desk.client, launch)
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(
            session, token=bearer["Authorization"].removeprefix("Bearer ")
        )
    call_id = await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))
    await answered(desk, ana.id, call_id)
    desk.later(30)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="agent"))
    token = bearer["Authorization"].removeprefix("Bearer ")
    await desk.run(
        lambda s, o: satisfaction.rate(s, o, token=token, score=4, comment=None, now=desk.now)
    )
    await desk.set_presence(ana.id, Presence.offline)
    await desk.customer("Gil", category_code=sales)
    desk.later(TIMINGS.wait.total_seconds() + 1)
    await desk.run(lambda s, o: queue.give_up_overdue(s, o, now=desk.now, timings=TIMINGS))

    by_sales = (await figures(desk))[sales]
    assert (by_sales["missed_today"], by_sales["answered_today"]) == (1, 1)
    assert by_sales["satisfaction_today"] == {"average": 4.0, "ratings": 1}
    # The desk's day is the partner's hours' time zone: in Tokyo it began at 15:00 UTC.
    await desk.client.put(
        "/v1/call-hours",
        json={"time_zone": "Asia/Tokyo", "weekly": {}},
        headers=desk.partner.auth,
    )
    desk.now = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)  # 00:30 on Tuesday in Tokyo
    by_sales = (await figures(desk))[sales]
    assert (by_sales["missed_today"], by_sales["answered_today"]) == (0, 0)


async def test_the_api_answers_the_same_figures(desk: CallDesk) -> None:
    sales = await desk.category("Ventas")
    await desk.agent("Ana", sales, available=False)
    desk.now = datetime.now(UTC)
    await desk.customer("Carla", category_code=sales)
    answer = await desk.client.get("/v1/desk/stats", headers=desk.partner.auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["object"], body["time_zone"]) == ("desk_stats", "UTC")
    assert [(c["category"], c["name"], c["waiting"]) for c in body["categories"]] == [
        (sales, "Ventas", 1), (None, None, 0),
    ]  # fmt: skip
    refused = await desk.client.get("/v1/desk/stats?category=x", headers=desk.partner.auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "parameter_unknown"


def gauge(name: str, **labels: str) -> float | None:
    text = metrics.render()[0].decode()
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # as it writes them
    found = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


async def test_the_gauges_follow_the_desk_and_fall_back_to_zero(desk: CallDesk) -> None:
    sales = await desk.category("Ventas")
    await desk.agent("Ana", sales, available=False)
    desk.now = MORNING
    call_id = await desk.customer("Carla", category_code=sales)
    desk.later(42)
    await desk_gauges.refresh(desk.sessions, now=desk.now)
    partner = str(desk.partner.id)
    assert gauge("portero_desk_calls_waiting", partner=partner, category=sales) == 1
    assert gauge("portero_desk_longest_wait_seconds", partner=partner, category=sales) == 42
    assert gauge("portero_desk_agents", partner=partner, presence="offline") == 1

    await desk.run(lambda s, o: queue.leave(s, o, call_id=call_id, now=desk.now))
    await desk_gauges.refresh(desk.sessions, now=desk.now)
    assert gauge("portero_desk_calls_waiting", partner=partner, category=sales) == 0


async def test_a_wallboard_link_needs_the_call_product(desk: CallDesk) -> None:
    made = await desk.client.post(
        "/v1/wallboard-links", json={"supervisor": "sara", "name": "Sara"},
        headers=desk.partner.auth,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["url"].startswith("http")
    assert made.json()["supervisor"] == "sara"
    other = await make_partner(desk.sessions, products=["roulette"])
    refused = await desk.client.post(
        "/v1/wallboard-links", json={"supervisor": "sara"}, headers=other.auth
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "product_not_allowed"
    bad = await desk.client.post("/v1/wallboard-links", json={}, headers=desk.partner.auth)
    assert (bad.status_code, bad.json()["error"]["param"]) == (400, "supervisor")


def test_the_desks_day_starts_at_the_first_midnight_of_a_repeated_hour() -> None:
    # Havana leaves summer time at 01:00 on 2 November 2025: 00:00-01:00 comes twice.
    second_pass = datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 00:30 the second time
    assert desk_stats.day_start(second_pass, "America/Havana") == datetime(
        2025, 11, 2, 4, 0, tzinfo=UTC
    )
