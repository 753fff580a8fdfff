"""Seed 000 in the OpenAPI document: its request, and every answer of its error table, built
from the same table the answers are rendered from (errors.py), so the two cannot drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from portero.dialects.roulette_v1 import errors
from portero.http.body import request_body

TAG = "seed 000: roulette sessions"
# What errors.render answers a wrong method with.
METHOD_NOT_ALLOWED = {"status": "ERROR", "code": 405, "description": "Method Not Allowed"}
MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")


class RouletteV1SessionRequest(BaseModel):
    """The five parameters, checked in this order; a blank value counts as missing."""

    TokenId: str = Field(description="A partner token.", examples=["prt_…"])
    ClientId: int | str = Field(description="The partner's numeric id.", examples=[2])
    UserId: int | str = Field(
        description="The partner's id for the user, ≤ 128 characters.", examples=[238]
    )
    UserName: str = Field(
        description="Stored as the player's nickname, ≤ 100 characters.", examples=["estarly93"]
    )
    UserEmail: str = Field(
        description="The player's e-mail address.", examples=["estarly@example.com"]
    )


class RouletteV1Accepted(BaseModel):
    status: Literal["OK"]
    code: Literal[200]
    url: str = Field(description="The accepted URL: redirect the user there, or frame it.")


class RouletteV1Error(BaseModel):
    status: Literal["ERROR"]
    code: int | str = Field(description="501-509 (508 is a string, as the document has it).")
    description: str


class RouletteV1ContentError(BaseModel):
    status: Literal["ERROR"]
    code_error: int | str = Field(description="510 (a number) or 511 (a string).")
    description: str


def _examples(*bodies: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """Named by their code (the success by its status)."""
    return {
        str(body.get("code", body.get("code_error"))) if body["status"] == "ERROR" else "OK": {
            "summary": summary,
            "value": body,
        }
        for summary, body in bodies
    }


def _session_answers(parameters: Sequence[tuple[str, int]]) -> dict[int | str, dict[str, Any]]:
    missing = [
        (f"{name} missing or blank", errors.body_for(errors.MissingParameter(name, code)))
        for name, code in parameters
    ]
    url = "http://127.0.0.1:8000/1.0/request/accepted/dd5bbff0-f3bf-4644-a112-2b9057eb6c1b"
    sample = {"status": "OK", "code": 200, "url": url}
    examples = _examples(
        ("Success", sample),
        *missing,
        ("Unknown or revoked token, or a ClientId it does not belong to", errors.INVALID_CLIENT),
        ("The partner is disabled", errors.CLIENT_DISABLED),
        ("The partner is not configured, or may not launch roulette", errors.CONFIG_ERROR),
        (
            "The user cannot be registered (or the database is unavailable)",
            errors.CREATE_USER_ERROR,
        ),
        ("An unexpected failure", errors.LOAD_CONTENT_ERROR),
    )
    return {
        200: {
            "model": RouletteV1Accepted | RouletteV1Error | RouletteV1ContentError,
            "description": "Every answer, success or failure, is HTTP 200 with its code in the "
            "body: the document's own client throws on 4xx/5xx before reading it.",
            "content": {"application/json": {"examples": examples}},
        },
        429: {
            "model": RouletteV1Error,
            "description": "Too many failed authentications from the client's network (not in "
            "the document): its 509 body, with `Retry-After`",
            "content": {"application/json": {"example": errors.CREATE_USER_ERROR}},
        },
        405: {
            "model": RouletteV1Error,
            "description": "Wrong method (not in the document; its shape, and an `Allow` header)",
            "content": {"application/json": {"example": METHOD_NOT_ALLOWED}},
        },
    }


SESSION_DESCRIPTION = (
    "Register or update the user and answer the URL of their roulette view "
    "(`docs/api/roulette.md`). The parameters are form fields (urlencoded or multipart) or a "
    "JSON object; the first check that fails answers, in the order 501 to 509."
)


def session_operation(
    operation_id: str, summary: str, parameters: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    """The keyword arguments of the session route (one per path the document uses);
    `parameters`: the parameters in the order they are checked, each with its code."""
    return {
        "operation_id": operation_id,
        "summary": summary,
        "description": SESSION_DESCRIPTION,
        "responses": _session_answers(parameters),
        "openapi_extra": request_body(RouletteV1SessionRequest, media_types=MEDIA_TYPES),
    }


def _html_page(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


CONTENT_ERROR = {"$ref": "#/components/schemas/RouletteV1ContentError"}


def _accepted_answers() -> dict[str, Any]:
    examples = _examples(
        ("Consumed, expired, revoked or unknown", errors.SESSION_EXPIRED),
        ("The view cannot be loaded (database unavailable)", errors.LOAD_CONTENT_ERROR),
    )
    throttled = {"schema": CONTENT_ERROR, "example": errors.LOAD_CONTENT_ERROR}
    return {
        "200": {
            "description": "`Accept: application/json`: the link cannot be used",
            "content": {"application/json": {"schema": CONTENT_ERROR, "examples": examples}},
        },
        "303": {"description": "Opened: on to the roulette table (`Location`)"},
        "404": _html_page("A browser: no such link"),
        "409": _html_page("A browser: the link was already used"),
        "410": _html_page("A browser: the link expired or was revoked"),
        "429": {
            "description": "Too many failed attempts from the client's network: programs get "
            "the 510 body, browsers a page; `Retry-After` says when to try again",
            "content": {
                "application/json": throttled,
                "text/html": {"schema": {"type": "string"}},
            },
        },
        "503": _html_page("A browser: the view cannot be loaded now"),
    }


def accepted_path_item() -> dict[str, Any]:
    """The accepted URL, a link route (web/links.py) that FastAPI does not describe."""
    token = {"name": "token", "in": "path", "required": True}
    operation = {
        "tags": [TAG],
        "summary": "Load the roulette view",
        "description": "The URL a session request answers. The first visit opens the session "
        "and redirects to the roulette table; programs that ask for JSON get the document's "
        "510 and 511 bodies, browsers a localised page.",
        "operationId": "roulette_v1_accepted",
        "parameters": [token | {"schema": {"type": "string", "format": "uuid"}}],
        "responses": _accepted_answers(),
    }
    return {"get": operation}
