"""The OpenAPI description matches what the API really answers."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.openapi import install_openapi
from tests.support.factories import make_partner


async def test_every_native_operation_declares_its_error_bodies(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error_ref = "#/components/schemas/ErrorBody"
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path.startswith(("/v1/", "/play/api/"))
        and not operation["tags"][0].startswith("seed ")  # seed 002's other path
    ]
    assert {(p, m) for p, m, _ in operations} >= {
        ("/v1/launches", "post"),
        ("/v1/launches", "get"),
        ("/v1/launches/{launch_id}", "get"),
        ("/v1/launches/{launch_id}/revoke", "post"),
        ("/v1/players/{player_id}", "get"),
    }
    for path, method, operation in operations:
        responses = operation["responses"]
        assert "422" not in responses, (path, method)
        for status in ("401", "500", "503"):
            content = responses[status]["content"]["application/json"]["schema"]
            assert content["$ref"] == error_ref, (path, method, status)
        if method == "post" and path == "/v1/launches":
            assert {"201", "400", "403", "409", "413", "415"} <= set(responses)
            assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    schemes = schema["components"]["securitySchemes"]
    assert schemes["PartnerToken"]["scheme"] == "bearer"
    assert schemes["PlaySessionToken"]["scheme"] == "bearer"
    create = schema["paths"]["/v1/launches"]["post"]
    assert create["security"] == [{"PartnerToken": []}]
    session = schema["paths"]["/play/api/session"]["get"]
    assert session["security"] == [{"PlaySessionToken": []}]


async def test_docs_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "openapi.json"


async def test_the_document_is_the_reviewed_one(client: httpx.AsyncClient) -> None:
    """The whole OpenAPI document against the reviewed copy: a refactoring changes nothing on
    the wire. A deliberate change of the API regenerates the copy (`UPDATE_GOLDEN=1`), and the
    diff of tests/golden/openapi.json is then part of what gets reviewed."""
    served = (await client.get("/openapi.json")).json()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(served, indent=2, sort_keys=True) + "\n")
    assert served == json.loads(GOLDEN.read_text())


def resolve(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found


def body_schema(schema: dict[str, Any], path: str, media_type: str = "application/json") -> Any:
    operation = schema["paths"][path]["post"]
    return resolve(schema, operation["requestBody"]["content"][media_type]["schema"]["$ref"])


async def test_the_roulette_and_the_slot_spins_have_their_own_request_bodies(
    client: httpx.AsyncClient,
) -> None:
    """Both products name their body `SpinIn`: documented under one name, the slot's replaced
    the roulette's."""
    schema = (await client.get("/openapi.json")).json()
    roulette = body_schema(schema, "/play/api/roulette/spins")
    slot = body_schema(schema, "/play/api/slots/spins")
    assert roulette != slot
    assert {"round_id", "bets"} <= set(roulette["properties"])
    assert {"spin_id", "bet"} <= set(slot["properties"])


def test_two_different_bodies_of_one_name_are_refused() -> None:
    app = FastAPI()

    class SpinIn(BaseModel):
        bet: int

    class OtherSpinIn(BaseModel):
        model_config = ConfigDict(title="SpinIn")
        bets: list[int]

    install_openapi(app, body_models=[SpinIn, OtherSpinIn])
    with pytest.raises(ValueError, match="'SpinIn'"):
        app.openapi()


async def test_every_reference_resolves(client: httpx.AsyncClient) -> None:
    text = (await client.get("/openapi.json")).text
    schemas = json.loads(text)["components"]["schemas"]
    refs = set(re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', text))
    assert refs
    assert refs <= set(schemas), refs - set(schemas)


ROULETTE_V1 = "seed 000: roulette sessions"
LUCKYMONACO = "seed 001: LuckyMonaco game sessions"
CAMMER = "seed 002: agent call links"
CAMMER_ANSWERS = {"200", "400", "401", "403", "404", "405", "413", "415", "422", "500", "503"}
SEED_OPERATIONS = {
    ("/1.0/request_session", "post"): (ROULETTE_V1, {"200", "405"}),
    ("/1.0/request/session", "post"): (ROULETTE_V1, {"200", "405"}),
    ("/1.0/request/accepted/{token}", "get"): (ROULETTE_V1, {"200", "303", "404", "409", "410"}),
    ("/api/session", "post"): (
        LUCKYMONACO,
        {"200", "400", "401", "404", "405", "409", "413", "415", "500", "503"},
    ),
    ("/api/games", "get"): (LUCKYMONACO, {"200"}),
    ("/api/v1/access/external/cammer/generate-session", "post"): (CAMMER, CAMMER_ANSWERS),
    ("/v1/access/external/cammer/generate-session", "post"): (CAMMER, CAMMER_ANSWERS),
}


async def test_each_seed_api_is_described_under_its_tag(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for (path, method), (tag, statuses) in SEED_OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert operation["tags"] == [tag], path
        assert statuses <= set(operation["responses"]), (path, statuses)
        assert operation["summary"], path
        assert operation["operationId"], path
    form = body_schema(schema, "/1.0/request_session", "application/x-www-form-urlencoded")
    assert form == body_schema(schema, "/1.0/request_session", "multipart/form-data")
    assert set(form["required"]) == {"TokenId", "ClientId", "UserId", "UserName", "UserEmail"}
    session = schema["paths"]["/api/session"]["post"]
    assert {(p["name"], p["in"], p["required"]) for p in session["parameters"]} == {
        ("MEMB_ID", "query", True),
        ("HASH", "query", True),
    }
    game = body_schema(schema, "/api/session")
    assert set(game["required"]) == {"uuid", "gametype", "gameid", "player"}
    link = schema["paths"]["/api/v1/access/external/cammer/generate-session"]["post"]
    assert link["security"] == [{"CammerAuthorization": []}]
    assert schema["components"]["securitySchemes"]["CammerAuthorization"]["name"] == (
        "Authorization"
    )
    assert [p["name"] for p in link["parameters"]] == ["X-Requested-With"]
    call = body_schema(schema, "/api/v1/access/external/cammer/generate-session")
    assert set(call["required"]) == {"name", "cellphone"}


def example(schema: dict[str, Any], path: str, method: str, status: str, name: str) -> Any:
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    return content["examples"][name]["value"] if name else content["example"]


async def test_the_documented_answers_are_the_ones_given(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Each seed's examples come from its error table: a sample of them, answered for real."""
    schema = (await client.get("/openapi.json")).json()
    partner = await make_partner(sessions)
    seed_000, seed_001 = "/1.0/request_session", "/api/session"
    seed_002 = "/api/v1/access/external/cammer/generate-session"
    answered = {
        (seed_000, "post", "200", "501"): await client.post(seed_000, data={}),
        (seed_000, "post", "200", "506"): await client.post(
            seed_000,
            data={
                "TokenId": "x",
                "ClientId": "y",
                "UserId": "1",
                "UserName": "n",
                "UserEmail": "n@example.com",
            },
        ),
        (seed_000, "post", "405", ""): await client.get(seed_000),
        (seed_001, "post", "401", "auth"): await client.post(
            seed_001, params={"MEMB_ID": partner.id, "HASH": "nope"}, json={}
        ),
        (seed_001, "post", "405", "method"): await client.get(seed_001),
        (seed_002, "post", "401", "missing"): await client.post(seed_002, json={}),
        (seed_002, "post", "415", "body"): await client.post(
            seed_002, headers={"Authorization": partner.token}, content=b"name=x"
        ),
    }
    for (path, method, status, name), response in answered.items():
        assert str(response.status_code) == status, (path, name, response.text)
        assert response.json() == example(schema, path, method, status, name), (path, name)
