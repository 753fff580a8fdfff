"""Seed 001's error table. G codes are generic failures; V codes are validation failures,
one per field and rule, numbered in the manner of Evolution's UA2 API (docs/api/luckymonaco.md)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import JSONResponse, Response

from portero.kit.errors import (
    InvalidField,
    MalformedRequest,
    MethodNotAllowed,
    PayloadTooLarge,
    PorteroError,
    RouteNotFound,
    StorageUnavailable,
    UnsupportedMediaType,
)
from portero.launches.errors import IdempotencyKeyReused
from portero.partners.errors import AuthenticationFailed, PartnerDisabled, PartnerNotConfigured

# The document's message, word for word (its trailing space included).
AUTH_MESSAGE = (
    "Could not authenticate, please review sent data and try again. If problem persists, "
    "contact customer support "
)
RETRY_MESSAGE = (
    "System error, should be retried, in case of constant occurrences should be "
    "reported to LuckyMonaco."
)


class Invalid(PorteroError):
    """A validation failure with its V code."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


# (field, problem) → V code. Problems: missing, invalid, too_long, unsupported, unknown, conflict.
V_CODES: dict[tuple[str, str], str] = {
    ("body", "invalid"): "V.1",
    ("player.id", "missing"): "V.2",
    ("player.id", "invalid"): "V.3",
    ("player.nickname", "missing"): "V.4",
    ("player.nickname", "invalid"): "V.5",
    ("player.session.id", "missing"): "V.6",
    ("player.session.id", "invalid"): "V.7",
    ("player.session.ip", "missing"): "V.8",
    ("player.session.ip", "invalid"): "V.9",
    ("player", "missing"): "V.10",
    ("player.session", "missing"): "V.10",
    ("player.currency", "missing"): "V.12",
    ("player.language", "missing"): "V.13",
    ("uuid", "missing"): "V.16",
    ("uuid", "invalid"): "V.17",
    ("uuid", "conflict"): "V.18",
    ("gametype", "missing"): "V.20",
    ("gametype", "invalid"): "V.21",
    ("gametype", "unsupported"): "V.22",
    ("gameid", "missing"): "V.23",
    ("gameid", "unsupported"): "V.24",
    ("player.currency", "invalid"): "V.32",
    ("player.currency", "unsupported"): "V.32",
    ("player.language", "invalid"): "V.33",
    ("player.language", "unsupported"): "V.33",
}


def invalid(field: str, problem: str, message: str) -> Invalid:
    if problem == "empty":  # an empty value is a missing one (Evolution's "V.16 uuid empty")
        problem = "missing"
    code = V_CODES.get((field, problem)) or V_CODES.get((field, "invalid")) or "V.1"
    return Invalid(code, f"{field}: {message}" if field != "body" else message)


STATUS_AND_CODE: dict[type[PorteroError], tuple[int, str, str | None]] = {
    AuthenticationFailed: (401, "G.0", AUTH_MESSAGE),
    PartnerDisabled: (401, "G.0", AUTH_MESSAGE),
    PartnerNotConfigured: (401, "G.0", AUTH_MESSAGE),
    StorageUnavailable: (503, "G.01", RETRY_MESSAGE),
    IdempotencyKeyReused: (409, "V.18", "uuid: already used for a different request"),
    MalformedRequest: (400, "V.1", None),
    UnsupportedMediaType: (415, "V.1", "Send the body as application/json."),
    PayloadTooLarge: (413, "V.1", "The request body is larger than 64 KiB."),
    MethodNotAllowed: (405, "G.02", "Use POST."),
    RouteNotFound: (404, "G.02", "No such endpoint."),
}


def render(_request: Request, error: PorteroError) -> Response:
    if isinstance(error, InvalidField):
        error = invalid(error.param or "body", error.problem, error.message)
    if isinstance(error, Invalid):
        status, code, message = error.status, error.code, error.message
    else:
        status, code, fixed = next(
            (STATUS_AND_CODE[cls] for cls in type(error).__mro__ if cls in STATUS_AND_CODE),
            (500, "G.01", RETRY_MESSAGE),
        )
        message = fixed or error.message
    headers = {"Retry-After": "1"} if status == 503 else None
    if isinstance(error, MethodNotAllowed) and error.allow:
        headers = {"Allow": error.allow}
    return JSONResponse(
        {"errors": {"code": code, "message": message}}, status_code=status, headers=headers
    )
