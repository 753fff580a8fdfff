"""Hostile requests for each API, endpoint by endpoint: bodies, headers and query strings built
from a valid request (`Known` holds what is valid for one partner) by tests/support/fuzzing.py.

Each API is a dict of endpoints (a name → the requests to it), so that a run can share its
examples evenly among them: Hypothesis alone favours the first branches of a choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from portero.roulette.bets import BetType
from tests.support.fuzzing import (
    Wire,
    content_types,
    encode,
    escape,
    header_values,
    headers,
    json_bodies,
    json_values,
    mostly,
    mutated,
    path_segments,
    query_strings,
    texts,
    to_bytes,
)

Endpoints = dict[str, st.SearchStrategy[Wire]]
Headers = st.SearchStrategy[list[tuple[bytes, bytes]]]
SEED_002_PATHS = (
    "/api/v1/access/external/cammer/generate-session",
    "/v1/access/external/cammer/generate-session",
)
GAMES = [("table", "roulette"), ("slot", "monaco-nights"), ("slot", "jade-ways")]
NO_BODY = st.just(b"")


@dataclass(frozen=True)
class Known:
    """What is valid for the partner the requests come from."""

    partner_id: int
    token: str
    category: str
    agent: str
    launch_id: str  # a launch the native API may read and revoke
    roulette_session: str  # play-session tokens (pss_…)
    slot_session: str
    roulette_min_bet: int
    slot_bet: int


def _methods(usual: str) -> st.SearchStrategy[str]:
    others = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"])
    return mostly(st.just(usual), others, tenths=9)


def _requests(
    method: st.SearchStrategy[str],
    path: st.SearchStrategy[str],
    head: Headers,
    body: st.SearchStrategy[bytes] = NO_BODY,
) -> st.SearchStrategy[Wire]:
    return st.builds(Wire, method, path, head, body)


# Seed 000: form fields (urlencoded or multipart) or a JSON object.


def seed_000(known: Known) -> Endpoints:
    valid = {
        "TokenId": known.token,
        "ClientId": str(known.partner_id),
        "UserId": "238",
        "UserName": "estarly93",
        "UserEmail": "estarly@example.com",
    }
    encodings = {"form": 4, "json": 2, "multipart": 1, "anything": 1}
    return {
        path: st.builds(
            _seed_000_wire,
            st.just(path),
            mutated(valid),
            st.sampled_from([how for how, weight in encodings.items() for _ in range(weight)]),
            content_types("application/x-www-form-urlencoded"),
            json_bodies(valid),
        )
        for path in ("/1.0/request_session", "/1.0/request/session")
    }


def _seed_000_wire(
    path: str, fields: dict[str, Any], how: str, content_type: bytes | None, anything: bytes
) -> Wire:
    values = {k: v if isinstance(v, str) else encode(v) for k, v in fields.items()}
    kind: bytes | None
    if how == "form":
        body = "&".join(f"{escape(k)}={escape(v)}" for k, v in values.items()).encode()
        kind = b"application/x-www-form-urlencoded"
    elif how == "multipart":
        parts = [
            b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (to_bytes(k), to_bytes(v))
            for k, v in values.items()
        ]
        body, kind = b"".join(parts) + b"--b--\r\n", b"multipart/form-data; boundary=b"
    elif how == "json":
        body, kind = to_bytes(encode(fields)), b"application/json"
    else:
        body, kind = anything, content_type
    return Wire("POST", path, [(b"content-type", kind)] if kind is not None else [], body)


# Seed 001: `POST /api/session?MEMB_ID=…&HASH=…` with a JSON body; the catalogue.


def seed_001(known: Known) -> Endpoints:
    bodies = st.builds(_seed_001_body, st.uuids().map(str), st.sampled_from(GAMES)).flatmap(
        json_bodies
    )
    query = query_strings({"MEMB_ID": str(known.partner_id), "HASH": known.token})
    head = headers(content_type=content_types())
    return {
        "session": _requests(
            _methods("POST"), query.map(lambda q: f"/api/session?{q}"), head, bodies
        ),
        "games": _requests(_methods("GET"), query.map(lambda q: f"/api/games?{q}"), head),
        "elsewhere": _requests(
            _methods("POST"), path_segments().map(lambda s: f"/api/{s}"), head, bodies
        ),
    }


def _seed_001_body(request_id: str, game: tuple[str, str]) -> dict[str, Any]:
    player = {
        "id": "238",
        "nickname": "estarly93",
        "language": "en",
        "currency": "EUR",
        "session": {"id": "partner-session-1", "ip": "203.0.113.7"},
    }
    return {"uuid": request_id, "gametype": game[0], "gameid": game[1], "player": player}


# Seed 002: `POST …/cammer/generate-session`, Authorization and X-Requested-With headers.


def seed_002(known: Known) -> Endpoints:
    ticket = {"title": "Promoción del día del padre", "description": "20% de descuento"}
    targets = st.sampled_from([{"categoryCode": known.category}, {"userCode": known.agent}, {}])
    tickets = st.sampled_from([ticket, [ticket], [ticket] * 3, []])
    customer = {"name": "Abraham", "email": "abraham@example.com", "cellphone": "+584141315854"}
    bodies = st.builds(
        lambda target, sent: customer | {"ticket": sent} | target, targets, tickets
    ).flatmap(json_bodies)
    head = headers(
        authorization=header_values(
            known.token, f"Bearer {known.token}", odd=("Bearer", "prt_x", "Bearer  ")
        ),
        x_requested_with=header_values("XMLHttpRequest"),
        content_type=content_types(),
    )
    return {
        path: _requests(_methods("POST"), st.just(path), head, bodies) for path in SEED_002_PATHS
    }


# The native API: every endpoint, with the partner's bearer token most of the time.


def native(known: Known) -> Endpoints:
    head = headers(
        authorization=header_values(f"Bearer {known.token}", odd=("Bearer", "Basic eA==")),
        content_type=content_types(),
        idempotency_key=header_values("order-8812", odd=("x" * 300, "é")),
    )
    launch = path_segments(known.launch_id, "lnch_" + "0" * 26)
    launches = {
        "create launch": _requests(
            _methods("POST"), st.just("/v1/launches"), head, _launches(known)
        ),
        "list launches": _requests(
            _methods("GET"),
            _listing("/v1/launches", {"player_id": "238", "status": "issued", "limit": "2"}),
            head,
        ),
        "get launch": _requests(_methods("GET"), launch.map(lambda s: f"/v1/launches/{s}"), head),
        "revoke": _requests(
            st.just("POST"), launch.map(lambda s: f"/v1/launches/{s}/revoke"), head
        ),
        "player": _requests(
            _methods("GET"), path_segments("238").map(lambda s: f"/v1/players/{s}"), head
        ),
    }
    return launches | _call_directory(known, head)


def _call_directory(known: Known, head: Headers) -> Endpoints:
    agent, category = path_segments(known.agent), path_segments(known.category)
    name = json_bodies({"name": "Ventas"})
    agent_body = json_bodies({"name": "Ana", "categories": [known.category], "capacity": 2})
    return {
        "create category": _requests(st.just("POST"), st.just("/v1/call-categories"), head, name),
        "rename category": _requests(
            st.just("PATCH"), category.map(lambda s: f"/v1/call-categories/{s}"), head, name
        ),
        "list categories": _requests(
            st.just("GET"), _listing("/v1/call-categories", {"limit": "5"}), head
        ),
        "create agent": _requests(st.just("POST"), st.just("/v1/agents"), head, agent_body),
        "change agent": _requests(
            st.just("PATCH"), agent.map(lambda s: f"/v1/agents/{s}"), head, agent_body
        ),
        "list agents": _requests(
            st.just("GET"),
            _listing("/v1/agents", {"category": known.category, "presence": "offline"}),
            head,
        ),
        "console link": _requests(
            st.just("POST"),
            agent.map(lambda s: f"/v1/agents/{s}/console-links"),
            head,
            json_bodies({"expires_in": 300}),
        ),
        "list calls": _requests(
            st.just("GET"),
            _listing("/v1/calls", {"agent": known.agent, "status": "completed", "limit": "3"}),
            head,
        ),
        "get call": _requests(
            _methods("GET"), path_segments("call_" + "0" * 26).map(lambda s: f"/v1/calls/{s}"), head
        ),
    }


def _launches(known: Known) -> st.SearchStrategy[bytes]:
    params = {
        "roulette": {},
        "slot": {"game_id": "monaco-nights"},
        "call": {"category_code": known.category, "tickets": [{"title": "T", "description": "D"}]},
        "console": {"agent_code": known.agent},
    }
    player = {
        "id": "238",
        "name": "Estarly",
        "nickname": "estarly93",
        "email": "estarly@example.com",
        "cellphone": "+34600123456",
        "language": "es",
        "currency": "EUR",
    }
    bodies = [
        {
            "product": product,
            "params": product_params,
            "player": player,
            "expires_in": 300,
            "return_url": "https://casino.example/lobby",
        }
        for product, product_params in params.items()
    ]
    return st.sampled_from(bodies).flatmap(json_bodies)


def _listing(path: str, valid: dict[str, str]) -> st.SearchStrategy[str]:
    with_cursor = valid | {"starting_after": "lnch_" + "0" * 26}
    return query_strings(with_cursor).map(lambda q: f"{path}?{q}")


# The play APIs (/play/api/…): the roulette table, the slot game, the session itself.


def play(known: Known, *, with_session: bool) -> Endpoints:
    """With a valid play session of the endpoint's product most of the time (the other
    product's otherwise), or with anything but a valid one."""
    roulette, slot = f"Bearer {known.roulette_session}", f"Bearer {known.slot_session}"
    table = _play_headers(with_session, roulette, wrong=(slot,))
    game = _play_headers(with_session, slot, wrong=(roulette,))
    either = _play_headers(with_session, roulette, slot)
    limit, nothing = query_strings({"limit": "5"}), query_strings({})
    spins = st.uuids().map(lambda u: {"spin_id": str(u), "bet": known.slot_bet})
    endpoints = {
        "table": _requests(
            _methods("GET"), nothing.map(lambda q: f"/play/api/roulette/table?{q}"), table
        ),
        "rounds": _requests(
            st.just("GET"), limit.map(lambda q: f"/play/api/roulette/rounds?{q}"), table
        ),
        "roulette spin": _requests(
            st.just("POST"), st.just("/play/api/roulette/spins"), table, _rounds(known)
        ),
        "game": _requests(st.just("GET"), nothing.map(lambda q: f"/play/api/slots/game?{q}"), game),
        "slot spins": _requests(
            st.just("GET"), limit.map(lambda q: f"/play/api/slots/spins?{q}"), game
        ),
        "slot spin": _requests(
            st.just("POST"), st.just("/play/api/slots/spins"), game, spins.flatmap(json_bodies)
        ),
        "session": _requests(
            _methods("GET"), nothing.map(lambda q: f"/play/api/session?{q}"), either
        ),
        "elsewhere": _requests(
            _methods("POST"),
            texts().map(lambda t: "/play/api/roulette/" + escape(t)),
            table,
            json_values().map(lambda v: to_bytes(encode(v))),
        ),
    }
    if not with_session:  # ending a valid session would leave the other examples without one
        endpoints["end"] = _requests(st.just("POST"), st.just("/play/api/session/end"), either)
    return endpoints


def _play_headers(with_session: bool, *right: str, wrong: tuple[str, ...] = ()) -> Headers:
    if with_session:
        auth = header_values(*right, odd=(*wrong, "Bearer", "Bearer pss_"))
    else:
        auth = header_values("Bearer pss_" + "A" * 43, odd=("Bearer", "Bearer pss_", "pss_x"))
    return headers(authorization=auth, content_type=content_types())


def _rounds(known: Known) -> st.SearchStrategy[bytes]:
    bet = {"type": BetType.straight.value, "numbers": [17], "amount": known.roulette_min_bet}
    dozen = {"type": BetType.dozen.value, "target": 2, "amount": known.roulette_min_bet}
    return st.builds(
        lambda round_id, bets: {"round_id": round_id, "bets": bets, "client_seed": "lucky"},
        st.uuids().map(str),
        st.sampled_from([[bet], [dozen], [bet, dozen]]),
    ).flatmap(json_bodies)
