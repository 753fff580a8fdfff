"""The customer's rating of a completed call, on SQLite and PostgreSQL: through the call page's
endpoint (its play session, ended by the call's end) and in the partner's API and webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from portero.calls import ending, queue, routing, satisfaction
from portero.calls.errors import CallNotRatable
from portero.kit.db import session_scope
from portero.launches import opening
from portero.partners.models import Partner, PartnerStatus
from portero.settings import Settings
from portero.webhooks.models import WebhookEvent
from tests.conftest import make_settings
from tests.support.call_desk import TIMINGS, CallDesk
from tests.support.db import inspecting
from tests.support.factories import create_launch, launch_body, open_link

RATING = "/play/api/call/rating"


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The webhook endpoint below is on loopback; nothing is delivered to it (no engine runs).
    return make_settings(database_url, allow_private_webhook_urls=True)


async def completed_call(desk: CallDesk) -> tuple[str, dict[str, str]]:
    """A call answered and hung up; its id and its customer page's bearer header."""
    sales = await desk.category()
    ana = await desk.agent("Ana", sales)
    launch = await desk.customer_link(category_code=sales)
    bearer = await open_link(desk.client, launch)
    call_id = await join_with(desk, bearer)
    await desk.run(
        lambda s, o: routing.accept(s, o, agent_id=ana.id, call_id=call_id, now=desk.now)
    )
    desk.later(30)
    await desk.run(lambda s, o: ending.hang_up(s, o, call_id=call_id, now=desk.now, by="agent"))
    return call_id, bearer


async def join_with(desk: CallDesk, bearer: dict[str, str]) -> str:
    token = bearer["Authorization"].removeprefix("Bearer ")
    async with session_scope(desk.sessions) as session:
        context = await opening.resume(session, token=token)
    return await desk.run(lambda s, o: queue.join(s, o, context, now=desk.now, timings=TIMINGS))


async def rate(desk: CallDesk, bearer: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return await desk.client.post(RATING, json=body, headers=bearer)


@pytest.fixture
async def rated_hook(desk: CallDesk) -> AsyncIterator[None]:
    """An endpoint taking `call.rated`, removed with its deliveries afterwards: the database is
    shared by the run, and another test's delivery engine must not find them due."""
    made = await desk.client.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/hooks", "enabled_events": ["call.rated"]},
        headers=desk.partner.auth,
    )
    assert made.status_code == 201, made.text
    yield
    endpoint = f"/v1/webhook-endpoints/{made.json()['id']}"
    removed = await desk.client.delete(endpoint, headers=desk.partner.auth)
    assert removed.status_code == 204, removed.text


@pytest.mark.usefixtures("rated_hook")
async def test_a_completed_call_takes_one_rating_shown_in_the_api_and_its_webhook(
    desk: CallDesk,
) -> None:
    call_id, bearer = await completed_call(desk)

    answer = await rate(desk, bearer, {"score": 4, "comment": "  Muy amable, gracias  "})
    assert answer.status_code == 200, answer.text
    rated = answer.json()
    assert (rated["object"], rated["call_id"], rated["score"], rated["comment"]) == (
        "call_rating", call_id, 4, "Muy amable, gracias",
    )  # fmt: skip

    again = await rate(desk, bearer, {"score": 1})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "call_not_ratable"

    record = (await desk.client.get(f"/v1/calls/{call_id}", headers=desk.partner.auth)).json()
    assert record["satisfaction"] == {
        "score": 4, "comment": "Muy amable, gracias", "rated_at": rated["rated_at"],
    }  # fmt: skip
    async with inspecting(desk.sessions) as session:
        events = (
            await session.execute(
                select(WebhookEvent.type, WebhookEvent.data).where(
                    WebhookEvent.partner_id == desk.partner.id
                )
            )
        ).all()
    assert [(kind, data["id"], data["satisfaction"]["score"]) for kind, data in events] == [
        ("call.rated", call_id, 4)
    ]


async def test_a_blank_comment_is_no_comment(desk: CallDesk) -> None:
    call_id, bearer = await completed_call(desk)
    answer = await rate(desk, bearer, {"score": 5, "comment": "   "})
    assert answer.status_code == 200, answer.text
    assert (await desk.call(call_id)).satisfaction_comment is None


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"score": 0}, "parameter_invalid", "score"),
        ({"score": 6}, "parameter_invalid", "score"),
        ({"score": "5"}, "parameter_invalid", "score"),
        ({"score": 5, "comment": "x" * 1001}, "parameter_too_long", "comment"),
        ({"comment": "sin nota"}, "parameter_missing", "score"),
        ({"score": 3, "stars": 3}, "parameter_unknown", "stars"),
    ],
)
async def test_a_bad_rating_is_the_native_400_and_keeps_nothing(
    desk: CallDesk, body: dict[str, Any], code: str, param: str
) -> None:
    call_id, bearer = await completed_call(desk)
    answer = await rate(desk, bearer, body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"]) == (code, param)
    assert (await desk.call(call_id)).satisfaction_score is None


async def test_only_a_completed_call_is_rated(desk: CallDesk) -> None:
    launch = await desk.customer_link()
    bearer = await open_link(desk.client, launch)
    call_id = await join_with(desk, bearer)
    waiting = await rate(desk, bearer, {"score": 5})
    assert waiting.status_code == 409
    assert waiting.json()["error"]["code"] == "call_not_ratable"
    await desk.run(lambda s, o: queue.leave(s, o, call_id=call_id, now=desk.now))
    abandoned = await rate(desk, bearer, {"score": 5})
    assert abandoned.status_code == 409
    assert (await desk.call(call_id)).satisfaction_score is None


async def rate_at(desk: CallDesk, token: str, now: datetime) -> None:
    await desk.run(
        lambda s, o: satisfaction.rate(s, o, token=token, score=2, comment=None, now=now)
    )


async def test_a_rating_comes_within_a_day_of_the_end(desk: CallDesk) -> None:
    call_id, bearer = await completed_call(desk)
    token = bearer["Authorization"].removeprefix("Bearer ")
    ended = (await desk.call(call_id)).ended_at
    assert ended is not None
    too_late = ended + satisfaction.RATING_WINDOW + timedelta(seconds=1)
    with pytest.raises(CallNotRatable):
        await rate_at(desk, token, too_late)
    await rate_at(desk, token, ended + satisfaction.RATING_WINDOW)  # the last moment
    assert (await desk.call(call_id)).satisfaction_score == 2


async def test_a_rating_needs_the_call_pages_own_session(desk: CallDesk) -> None:
    call_id, _ = await completed_call(desk)
    for headers in ({}, {"Authorization": "Bearer pss_not-a-session"}, desk.partner.auth):
        answer = await desk.client.post(RATING, json={"score": 5}, headers=headers)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.json()["error"]["code"] == "session_invalid"
    assert (await desk.call(call_id)).satisfaction_score is None


async def change_partner(desk: CallDesk, **values: Any) -> None:
    async with session_scope(desk.sessions) as session:
        await session.execute(update(Partner).where(Partner.id == desk.partner.id).values(**values))


async def test_a_disabled_partner_takes_no_rating(desk: CallDesk) -> None:
    call_id, bearer = await completed_call(desk)
    await change_partner(desk, status=PartnerStatus.disabled)
    answer = await rate(desk, bearer, {"score": 5})
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "session_expired"
    assert (await desk.call(call_id)).satisfaction_score is None


async def test_a_games_session_rates_no_call(desk: CallDesk) -> None:
    call_id, _ = await completed_call(desk)
    await change_partner(desk, products=["call", "slot"])
    slot = await create_launch(desk.client, desk.partner, launch_body("slot"))
    answer = await rate(desk, await open_link(desk.client, slot), {"score": 5})
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "wrong_product"
    assert (await desk.call(call_id)).satisfaction_score is None
