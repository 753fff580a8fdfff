"""Routes served without FastAPI's dependency solver (http/direct.py: the rounds' `RoundRoute`,
the seeds' launches' `RequestRoute`; the native launch's is tested with it) and the flat route
table (app.py): a round answers exactly as through FastAPI's solver, the shapes a class cannot
serve are refused when the route is built, and no request walks an included router's branch."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request, Response, Security
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.routing import Mount

from portero.http.direct import RequestRoute, served_by
from portero.launches.deps import PlayContextDep, RoundRoute, round_post, session_then_query
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
)

JSON = {"Content-Type": "application/json"}
ROUNDS = (
    ("/play/api/slots/spins", "slot", {"game_id": "monaco-nights"}, {"spin_id": "s", "bet": 20},
     "session_invalid"),
    # The roulette table's API answers an unknown session with seed 000's 511 body.
    ("/play/api/roulette/spins", "roulette", {}, {"round_id": "r", "bets": []}, "511"),
)  # fmt: skip


def _refusal(body: dict[str, Any]) -> str:
    return str(body["error"]["code"] if "error" in body else body["code_error"])


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession]) -> PartnerFixture:
    return await make_partner(sessions)


@pytest.mark.parametrize(("path", "product", "params", "body", "refused"), ROUNDS)
async def test_the_session_then_the_query_then_the_body(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    path: str,
    product: str,
    params: dict[str, str],
    body: dict[str, object],
    refused: str,
) -> None:
    for headers in ({}, {"Authorization": "Basic eDp5"}, {"Authorization": "Bearer pss_nope"}):
        answer = await client.post(f"{path}?lines=20", json=body, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert _refusal(answer.json()) == refused, answer.text
    auth = await open_link(
        client, await create_launch(client, partner, launch_body(product, params=params))
    )
    answer = await client.post(f"{path}?lines=20", content=b"{not json", headers=auth | JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] | {"message": ""} == {
        "type": "invalid_request_error", "code": "parameter_unknown", "message": "",
        "param": "lines",
    }  # fmt: skip
    answer = await client.post(path, content=b"{not json", headers=auth | JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "body_malformed"


async def test_the_round_routes_are_served_by_their_own_class(app: FastAPI) -> None:
    served = {
        (route.path, method): type(route)
        for route in app.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert served["/play/api/slots/spins", "POST"] is RoundRoute
    assert served["/play/api/roulette/spins", "POST"] is RoundRoute
    assert served["/play/api/slots/spins", "GET"] is APIRoute


def test_no_request_walks_an_included_router(app: FastAPI) -> None:
    """Every route sits on the application's own router (FastAPI 0.16x keeps an included
    router as a branch, walked per request, which cost more than a `/healthz` answer)."""
    kinds = {type(route).__module__ + "." + type(route).__name__ for route in app.router.routes}
    assert kinds <= {
        "fastapi.routing.APIRoute", "portero.launches.deps.RoundRoute",
        "portero.dialects.native.launch_route.LaunchRoute", "portero.http.direct.RequestRoute",
        "fastapi.routing.APIWebSocketRoute", "starlette.routing.Route", Mount.__module__ + ".Mount",
    }  # fmt: skip


async def _takes_a_session(request: Request, context: PlayContextDep) -> Response:
    return Response()


async def _takes_more(request: Request, context: PlayContextDep, extra: int) -> Response:
    return Response()


async def _takes_the_context_first(context: PlayContextDep, request: Request) -> Response:
    return Response()


@pytest.mark.parametrize("endpoint", [_takes_more, _takes_the_context_first])
def test_a_shape_it_cannot_serve_is_refused_as_the_route_is_built(endpoint: object) -> None:
    router = APIRouter()
    with pytest.raises(TypeError, match="RoundRoute serves"):
        round_post(router, "/x")(endpoint)  # type: ignore[arg-type]


def test_dependencies_it_would_skip_are_refused() -> None:
    router = APIRouter()
    with pytest.raises(TypeError, match="RoundRoute serves"):
        router.add_api_route(
            "/x",
            _takes_a_session,
            methods=["POST"],
            dependencies=session_then_query("limit"),
            route_class_override=RoundRoute,
        )
    round_post(router, "/y")(_takes_a_session)  # the shape it serves
    assert [type(route) for route in router.routes] == [RoundRoute]


async def _reads_everything_itself(request: Request) -> Response:
    return Response()


def test_a_request_route_takes_the_request_and_documenting_schemes_only() -> None:
    router = APIRouter()
    documenting = APIKeyHeader(name="Authorization", auto_error=False)
    served_by(RequestRoute, router, "/a", methods=["POST"])(_reads_everything_itself)
    served_by(RequestRoute, router, "/b", methods=["POST"], dependencies=[Security(documenting)])(
        _reads_everything_itself
    )
    assert [type(route) for route in router.routes] == [RequestRoute, RequestRoute]
    refusing = APIKeyHeader(name="Authorization", auto_error=True)  # would answer 403 itself
    for dependencies in ([Security(refusing)], session_then_query()):
        with pytest.raises(TypeError, match="RequestRoute serves"):
            served_by(RequestRoute, router, "/c", methods=["POST"], dependencies=dependencies)(
                _reads_everything_itself
            )
    with pytest.raises(TypeError, match="RequestRoute serves"):
        served_by(RequestRoute, router, "/d", methods=["POST"])(_takes_a_session)


def test_the_seeds_launches_are_request_routes(app: FastAPI) -> None:
    served = {
        (route.path, method): type(route)
        for route in app.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    for path in (
        "/1.0/request_session", "/1.0/request/session", "/api/session",
        "/api/v1/access/external/cammer/generate-session",
        "/v1/access/external/cammer/generate-session",
    ):  # fmt: skip
        assert served[path, "POST"] is RequestRoute, path
