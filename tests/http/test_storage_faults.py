"""A PostgreSQL restart under a busy connection: asyncpg's client loses its protocol state and
raises InternalClientError (bare on the hot paths, inside SQLAlchemy's error elsewhere). Every
API answers its retryable "unavailable", never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from portero.http.runtime import Runtime
from tests.support.factories import launch_body
from tests.support.faults import client_fault, wrapped_by_sqlalchemy

FAULTS: dict[str, Callable[[], Exception]] = {
    "asyncpg": client_fault,
    "through SQLAlchemy": lambda: wrapped_by_sqlalchemy(client_fault()),
}
TOKEN = "prt_" + "A" * 43


@pytest.fixture(params=sorted(FAULTS))
def restarting(
    request: pytest.FixtureRequest, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every partner authentication (the first query of every API) meets the fault."""
    fault = FAULTS[request.param]

    async def authenticate(*_args: Any, **_kwargs: Any) -> Any:
        raise fault()

    monkeypatch.setattr(runtime.authenticator, "authenticate", authenticate)


@pytest.mark.usefixtures("restarting")
async def test_native_answers_storage_unavailable(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = await client.post("/v1/launches", json=launch_body(), headers=headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert response.headers["retry-after"] == "1"


@pytest.mark.usefixtures("restarting")
async def test_seed_000_answers_509(client: httpx.AsyncClient) -> None:
    data = {"TokenId": TOKEN, "ClientId": "1", "UserId": "238", "UserName": "estarly93"}
    response = await client.post("/1.0/request_session", data=data | {"UserEmail": "e@x.com"})
    assert response.status_code == 200
    assert response.json() == {"status": "ERROR", "code": 509, "description": "Error Create User"}


@pytest.mark.usefixtures("restarting")
async def test_seed_001_answers_g01(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/session", params={"MEMB_ID": "1", "HASH": TOKEN}, json={})
    assert response.status_code == 503
    assert response.json()["errors"]["code"] == "G.01"
    assert response.headers["retry-after"] == "1"


@pytest.mark.usefixtures("restarting")
async def test_seed_002_answers_service_unavailable(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/access/external/cammer/generate-session",
        json={"name": "Abraham", "cellphone": "+584141315854"},
        headers={"Authorization": TOKEN, "X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 503
    assert response.json() == {"statusCode": 1, "message": "Service unavailable, retry"}
