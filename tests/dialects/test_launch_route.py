"""`POST /v1/launches` is served by its own route class (dialects/native/launch_route.py),
without FastAPI's dependency solver: the same requests answer the same as through FastAPI's
own route for the same endpoint, failures included, in the same order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, status
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.dialects.native import api as native
from portero.dialects.native.launch_route import LaunchRoute
from portero.http.direct import served_by
from tests.support.factories import PartnerFixture, launch_body, make_partner

THROUGH_FASTAPI = "/v1/launches-through-fastapi"


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


@pytest.fixture
def twin(app: FastAPI) -> None:
    """The same endpoint once more, on a route FastAPI serves itself."""
    app.router.routes.append(
        APIRoute(
            THROUGH_FASTAPI,
            native.create_launch,
            methods=["POST"],
            status_code=status.HTTP_201_CREATED,
        )
    )


def _comparable(answer: httpx.Response) -> tuple[int, Any]:
    body = answer.json()
    if answer.status_code == 201:  # a launch of its own each time: its shape, not its ids
        return 201, sorted(body)
    return answer.status_code, body


@pytest.mark.usefixtures("twin")
async def test_it_answers_as_fastapi_would(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    auth = partner.auth
    cases: list[tuple[dict[str, str], Any]] = [
        ({}, launch_body()),
        ({"Authorization": "Bearer prt_nope"}, launch_body()),
        ({"Authorization": "Basic eDp5"} | {"Idempotency-Key": ""}, launch_body()),
        (auth | {"Idempotency-Key": ""}, launch_body()),
        (auth | {"Idempotency-Key": "k" * 256}, launch_body()),
        (auth | {"Idempotency-Key": "two words"}, launch_body()),
        (auth | {"Idempotency-Key": "tab\there"}, launch_body()),
        (auth | {"Idempotency-Key": "bad-body"}, {"product": "roulette"}),
        (auth, {"product": "nothing-of-ours"}),
        (auth, launch_body()),
    ]
    for index, (headers, body) in enumerate(cases):
        keyed = dict(headers)
        if keyed.get("Idempotency-Key") == "bad-body":
            keyed["Idempotency-Key"] = f"bad-body-{index}"
        answers = [
            await client.post(path, json=body, headers=keyed)
            for path in ("/v1/launches", THROUGH_FASTAPI)
        ]
        assert _comparable(answers[0]) == _comparable(answers[1]), (headers, body)
    keyed, once = auth | {"Idempotency-Key": "once"}, launch_body()
    first = await client.post("/v1/launches", json=once, headers=keyed)
    again = await client.post(THROUGH_FASTAPI, json=once, headers=keyed)
    assert first.status_code == 201
    assert again.json() == first.json()  # one key: one launch, whichever route answered
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_shape_it_cannot_serve_is_refused_as_the_route_is_built() -> None:
    async def without_the_key(request: Any, partner: Any) -> Any:
        return None

    with pytest.raises(TypeError, match="LaunchRoute serves"):
        served_by(LaunchRoute, native.router, "/x", methods=["POST"])(without_the_key)
