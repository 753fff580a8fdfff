"""Seed 001 in the OpenAPI document: its query, its body (the very model the endpoint validates
with) and every answer of its error table, the fixed messages taken from that table."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from portero.dialects.luckymonaco import errors
from portero.http.body import request_body
from portero.kit.errors import (
    FieldProblem,
    MalformedRequest,
    MethodNotAllowed,
    PayloadTooLarge,
    PorteroError,
    RouteNotFound,
    UnsupportedMediaType,
)
from portero.launches.errors import IdempotencyKeyReused

TAG = "seed 001: LuckyMonaco game sessions"


class LuckyMonacoSession(BaseModel):
    url: str = Field(description="Send the player's browser there; the first visit opens the game.")


class LuckyMonacoErrorDetail(BaseModel):
    code: str = Field(description="G.0, G.01, G.02 (generic) or V.1-V.33 (a field's check).")
    message: str


class LuckyMonacoError(BaseModel):
    errors: LuckyMonacoErrorDetail


class LuckyMonacoGame(BaseModel):
    gameid: str
    gametype: str = Field(description="`slot` or `table`.")
    name: str = Field(description="In English.")
    names: dict[str, str] = Field(description="By language.")
    languages: list[str]
    currencies: list[str]
    rtp: float = Field(description="Return to player, exact.")
    hit_frequency: float | None = Field(description="Share of spins that pay; null for roulette.")
    max_win: float = Field(description="Largest return of one spin, in multiples of the stake.")


class LuckyMonacoCatalogue(BaseModel):
    games: list[LuckyMonacoGame]
    languages: list[str] = Field(description="Supported by any game.")
    currencies: list[str] = Field(description="Supported by any game.")


def _body(code: str, message: str) -> dict[str, Any]:
    return {"errors": {"code": code, "message": message}}


def _fixed(error: PorteroError) -> dict[str, Any]:
    """The body the table gives `error` (its fixed message, or the error's own)."""
    _status, code, message = errors.STATUS_AND_CODE[type(error)]
    return _body(code, message or error.message)


def _example(summary: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"summary": summary, "value": body} if summary else {"value": body}


def _answer(description: str, **examples: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    answer: dict[str, Any] = {"model": LuckyMonacoError, "description": description}
    if examples:
        named = {key: _example(text, body) for key, (text, body) in examples.items()}
        answer["content"] = {"application/json": {"examples": named}}
    return answer


def _v_codes() -> str:
    """The 400's V codes as a Markdown table, from the table the renderer uses."""
    rows = "".join(
        f"| {code} | `{field}` | {problem} |\n" for (field, problem), code in errors.V_CODES.items()
    )
    return "| code | field | problem |\n| --- | --- | --- |\n" + rows


def _invalid(field: str, problem: FieldProblem, message: str) -> tuple[str, dict[str, Any]]:
    error = errors.invalid(field, problem, message)
    return f"{field}: {problem}", _body(error.code, error.message)


def _answers() -> dict[int | str, dict[str, Any]]:
    auth = ("Wrong or missing MEMB_ID/HASH", _body("G.0", errors.AUTH_MESSAGE))
    retry = ("System error", _body("G.01", errors.RETRY_MESSAGE))
    return {
        200: {"model": LuckyMonacoSession, "description": "The game session's URL"},
        400: _answer(
            "A field's check failed (V codes), or the body is not a JSON object (V.1):\n\n"
            + _v_codes(),
            body=("Not JSON", _fixed(MalformedRequest())),
            uuid=_invalid("uuid", "invalid", "must be a UUID"),
            gametype=_invalid("gametype", "invalid", "must be slot or table"),
            ip=_invalid("player.session.ip", "invalid", "must be an IPv4 or IPv6 address"),
        ),
        401: _answer(
            "G.0: wrong or missing credentials, a token of another member, a disabled partner, "
            "or one not configured for the game's product (the document's message, word for "
            "word, its trailing space included)",
            auth=auth,
        ),
        404: _answer("G.02: no such endpoint", route=("G.02", _fixed(RouteNotFound()))),
        405: _answer("G.02: wrong method (`Allow`)", method=("G.02", _fixed(MethodNotAllowed()))),
        409: _answer(
            "V.18: the uuid was used before with a different request",
            uuid=("V.18", _fixed(IdempotencyKeyReused())),
        ),
        413: _answer("V.1: body over 64 KiB", size=("V.1", _fixed(PayloadTooLarge()))),
        415: _answer("V.1: not application/json", type=("V.1", _fixed(UnsupportedMediaType()))),
        429: _answer(
            "G.01: too many failed authentications from the client's network; retry after "
            "`Retry-After` seconds",
        ),
        500: _answer("G.01: unexpected error", retry=retry),
        503: _answer("G.01: database unavailable, retry (`Retry-After: 1`)", retry=retry),
    }


SESSION_DESCRIPTION = (
    "Create a game session for a player and answer the URL to send them to "
    "(`docs/api/luckymonaco.md`). The `uuid` is the request's idempotency key: the same uuid "
    "with the same request answers the first URL again (retry safely after G.01 or a timeout)."
)
CREDENTIALS = [
    {
        "name": "MEMB_ID",
        "in": "query",
        "required": True,
        "description": "The partner's numeric id.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    {
        "name": "HASH",
        "in": "query",
        "required": True,
        "description": "A partner token.",
        "schema": {"type": "string"},
    },
]


def session_operation(body: type[BaseModel]) -> dict[str, Any]:
    """The keyword arguments of `POST /api/session`; `body`: the model it validates with."""
    return {
        "summary": "Create a game session",
        "description": SESSION_DESCRIPTION,
        "responses": _answers(),
        "openapi_extra": {"parameters": CREDENTIALS, **request_body(body)},
    }


GAMES_OPERATION: dict[str, Any] = {
    "summary": "The game catalogue",
    "description": "Portero's addition (the document's separate \"SLOT_SPEC\"): every game, "
    "the languages and currencies it supports, and its published figures.",
    # Documentation only: the endpoint answers its dictionary as it is, unvalidated.
    "responses": {200: {"model": LuckyMonacoCatalogue, "description": "The catalogue"}},
}
