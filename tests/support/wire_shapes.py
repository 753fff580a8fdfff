"""The answers each API documents (docs/api/*.md), as checks: whatever was asked, an answer is
one of its API's own bodies, never a 5xx and never a traceback."""

from __future__ import annotations

import re
from typing import Any

import httpx

PUBLIC_URL = "http://portero.test"

# Seed 000: every documented error, code → (key, description). 508 and 511 are strings.
SEED_000_ERRORS: dict[Any, tuple[str, str]] = {
    501: ("code", "TokenId is Required"),
    502: ("code", "ClientId is Required"),
    503: ("code", "UserId is Required"),
    504: ("code", "UserName is Required"),
    505: ("code", "UserEmail is Required"),
    506: ("code", "Invalid Id / Token of Client"),
    507: ("code", "Client Disabled"),
    "508": ("code", "Error Config Client"),
    509: ("code", "Error Create User"),
    510: ("code_error", "Error Load Content"),
    "511": ("code_error", "Session Expired -  No Content"),
}
SEED_000_511 = {
    "status": "ERROR",
    "code_error": "511",
    "description": "Session Expired -  No Content",
}
SEED_001_CODE = re.compile(r"G\.0|G\.01|G\.02|V\.\d{1,2}")
SEED_002_MESSAGES = {
    9: {
        "No Authorization token",
        "Invalid Authorization token",
        "Account disabled",
        "Account not configured for calls",
    },
    1: {"Not Found", "Method Not Allowed", "Service unavailable, retry"},
}
HOUSE_TYPES = {
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "idempotency_error",
    "api_error",
}


def never_a_server_error(response: httpx.Response) -> Any:
    """The status is not 5xx, no traceback shows, and the body is JSON; the body."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert "Traceback" not in response.text
    return response.json()


def seed_000(response: httpx.Response) -> None:
    body = never_a_server_error(response)
    assert response.status_code == 200, response.text  # every documented answer
    if body.get("status") == "OK":
        assert list(body) == ["status", "code", "url"], body
        assert body["code"] == 200, body
        assert body["url"].startswith(f"{PUBLIC_URL}/1.0/request/accepted/")
        return
    code = body.get("code", body.get("code_error"))
    assert code in SEED_000_ERRORS, body
    key, description = SEED_000_ERRORS[code]
    assert body == {"status": "ERROR", key: code, "description": description}


def seed_001(response: httpx.Response, path: str) -> None:
    body = never_a_server_error(response)
    if response.status_code == 200 and path.startswith("/api/games"):
        assert set(body) == {"games", "languages", "currencies"}, body  # the catalogue
        return
    if response.status_code == 200:
        assert list(body) == ["url"], body
        assert body["url"].startswith(f"{PUBLIC_URL}/luckymonaco/"), body
        return
    assert list(body) == ["errors"], body
    assert list(body["errors"]) == ["code", "message"], body
    assert SEED_001_CODE.fullmatch(body["errors"]["code"]), body
    assert isinstance(body["errors"]["message"], str)


def seed_002(response: httpx.Response) -> None:
    body = never_a_server_error(response)
    code = body.get("statusCode")
    if code == 0:
        assert response.status_code == 200, response.status_code
        assert body["message"] == "Success", body
        assert set(body["data"]) == {"link", "customer"}
        assert body["data"]["link"].startswith(f"{PUBLIC_URL}/session/")
        return
    if code == 2:
        assert response.status_code in (400, 413, 415, 422), response.status_code
        assert set(body) == {"statusCode", "message", "detail"}
        assert body["message"] == "Campos no cumplen", body
        assert body["detail"], body
        for complaints in body["detail"].values():
            assert complaints, body
            assert all(c.startswith("SessionLinkControllerValidator: ") for c in complaints)
        return
    assert code in SEED_002_MESSAGES, body
    assert set(body) == {"statusCode", "message"}, body
    assert body["message"] in SEED_002_MESSAGES[code], body


def house(response: httpx.Response) -> None:
    """The native body (native API, the play APIs, operations)."""
    body = never_a_server_error(response)
    if response.is_success:
        assert isinstance(body, dict)
        return
    assert list(body) == ["error"], body
    error = body["error"]
    assert set(error) == {"type", "code", "message", "param"}, body
    assert error["type"] in HOUSE_TYPES, body
    assert isinstance(error["code"], str), body
    assert error["code"], body
    assert isinstance(error["message"], str)
    assert error["param"] is None or isinstance(error["param"], str)


def play(response: httpx.Response, path: str) -> None:
    """The play APIs: the native body, except the roulette table's ended session (seed 000's
    511 body, HTTP 401)."""
    if path.startswith("/play/api/roulette/") and response.status_code == 401:
        assert never_a_server_error(response) == SEED_000_511
        return
    house(response)


def label(response: httpx.Response) -> str:
    """The HTTP status and the API's own code of an answer ("200 509", "400 V.4", "422 2",
    "401 session_invalid"), for the summary of what a run exercised."""
    body = response.json()
    if response.is_success and "status" not in body:  # seed 000 answers its errors with 200
        return str(response.status_code)
    code = None
    if isinstance(body, dict):
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
        for candidate in (
            body.get("code"),
            body.get("code_error"),
            errors.get("code"),
            body.get("statusCode"),
            error.get("code"),
        ):
            if candidate is not None:
                code = candidate
                break
    return f"{response.status_code} {code}" if code is not None else str(response.status_code)
