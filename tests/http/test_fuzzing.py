"""Property-based fuzzing of every API's request reader: seed 000, seed 001, seed 002, the
native API and the play APIs (with a valid play session and without). Whatever the body,
headers and query string, the answer is never a 5xx, nothing is logged as an error (no
traceback), and the body is in the API's documented shape (tests/support/wire_shapes.py).

Bounded and reproducible: a fixed number of examples per API, derandomized (the same examples
on every run and machine), no example database. The fast tier runs a few dozen per API; the
full run (`slow`) runs hundreds, on SQLite and PostgreSQL. The cases run and the 5xx found
are printed at the end of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from portero.app import create_app
from portero.calls import directory as calls
from portero.http.runtime import Runtime
from portero.kit.db import session_scope
from portero.settings import Settings
from tests.conftest import PUBLIC_URL, make_settings, running
from tests.http.fuzz_tally import TALLIES, Tally
from tests.support import fuzz_requests as requests
from tests.support import wire_shapes as shapes
from tests.support.factories import create_launch, launch_body, make_partner, open_link
from tests.support.fuzzing import Wire

# The profiles: examples per API in each tier.
EXAMPLES = {"quick": 30, "full": 400}
PROFILES = {
    depth: settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    for depth, examples in EXAMPLES.items()
}
DEPTHS = [pytest.param("quick"), pytest.param("full", marks=pytest.mark.slow)]
# Failed authentications are throttled per network (20 a minute by default): every example
# comes from one address, and a throttled API would never read the rest of the request.
NO_THROTTLE = {"throttle_auth_failures": 0, "throttle_link_failures": 0}

Check = Callable[[Wire, httpx.Response], None]
APIS: dict[str, tuple[Callable[[requests.Known], requests.Endpoints], Check]] = {
    "seed 000": (requests.seed_000, lambda _wire, response: shapes.seed_000(response)),
    "seed 001": (requests.seed_001, lambda wire, response: shapes.seed_001(response, wire.path)),
    "seed 002": (requests.seed_002, lambda _wire, response: shapes.seed_002(response)),
    "native": (requests.native, lambda _wire, response: shapes.house(response)),
    "play, with a session": (
        lambda known: requests.play(known, with_session=True),
        lambda wire, response: shapes.play(response, wire.path),
    ),
    "play, without a session": (
        lambda known: requests.play(known, with_session=False),
        lambda wire, response: shapes.play(response, wire.path),
    ),
}


class Problems(logging.Handler):
    """Every record of level ERROR or above that Portero logs (a traceback among them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Target:
    """The application on an event loop of its own (Hypothesis calls the test synchronously,
    once per example), a partner, and what is valid for it."""

    runner: asyncio.Runner
    client: httpx.AsyncClient
    known: requests.Known
    database: str
    problems: Problems = field(default_factory=Problems)

    def send(self, wire: Wire) -> httpx.Response:
        request = self.client.request(
            wire.method, wire.path, headers=wire.headers, content=wire.body
        )
        return self.runner.run(request)


def fuzz_settings(database_url: str) -> Settings:
    known = Settings.model_fields
    return make_settings(database_url, **{k: v for k, v in NO_THROTTLE.items() if k in known})


async def _known(client: httpx.AsyncClient, runtime: Runtime) -> requests.Known:
    sessions = runtime.sessions
    partner = await make_partner(sessions)
    async with session_scope(sessions) as session:
        category = await calls.add_category(session, partner_id=partner.id, name="Ventas")
        agent, _ = await calls.add_agent(
            session, partner_id=partner.id, name="Ana", category_codes=[category.code]
        )
    roulette = await open_link(client, await create_launch(client, partner))
    slot = await open_link(client, await create_launch(client, partner, launch_body("slot")))
    table = (await client.get("/play/api/roulette/table", headers=roulette)).json()
    game = (await client.get("/play/api/slots/game", headers=slot)).json()
    return requests.Known(
        partner_id=partner.id,
        token=partner.token,
        category=category.code,
        agent=agent.code,
        launch_id=(await create_launch(client, partner))["id"],
        roulette_session=roulette["Authorization"].removeprefix("Bearer "),
        slot_session=slot["Authorization"].removeprefix("Bearer "),
        roulette_min_bet=table["limits"]["min_bet"],
        slot_bet=game["bet_levels"][0],
    )


@pytest.fixture(scope="module")
def target(database_url: str) -> Iterator[Target]:
    app = create_app(fuzz_settings(database_url))
    portero_log = logging.getLogger("portero")
    with asyncio.Runner() as runner:
        stack = contextlib.AsyncExitStack()

        async def start() -> Target:
            runtime = await stack.enter_async_context(running(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)
            await stack.enter_async_context(client)
            known = await _known(client, runtime)
            name = "sqlite" if database_url.startswith("sqlite") else "postgres"
            return Target(runner, client, known, name)

        found = runner.run(start())
        portero_log.addHandler(found.problems)
        try:
            yield found
        finally:
            portero_log.removeHandler(found.problems)
            runner.run(stack.aclose())


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("api", list(APIS))
def test_no_request_reaches_a_5xx(target: Target, api: str, depth: str) -> None:
    build, check = APIS[api]
    endpoints = build(target.known)
    tally = TALLIES.setdefault((api, target.database, depth), Tally())
    # The API's examples, shared evenly among its endpoints (at least one each).
    share = settings(PROFILES[depth], max_examples=max(1, EXAMPLES[depth] // len(endpoints)))
    for requests_to_it in endpoints.values():

        @share
        @given(wire=requests_to_it)
        def one_request(wire: Wire) -> None:
            logged = len(target.problems.records)
            response = target.send(wire)
            tally.count(response.status_code, shapes.label(response))
            check(wire, response)
            new = target.problems.records[logged:]
            assert not new, [record.getMessage() for record in new]

        one_request()
    assert tally.cases >= EXAMPLES[depth] // len(endpoints) * len(endpoints)
    assert tally.server_errors == 0
