"""Seed 002's answers: statusCode 0 success, 2 validation ("Campos no cumplen", with one entry
per failing field), 9 authorization; HTTP statuses are Portero's choice (docs/api/cammer.md)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import JSONResponse, Response

from portero.kit.errors import (
    MalformedRequest,
    MethodNotAllowed,
    PayloadTooLarge,
    PorteroError,
    RouteNotFound,
    StorageUnavailable,
    UnsupportedMediaType,
)
from portero.partners.errors import (
    AuthenticationFailed,
    PartnerDisabled,
    PartnerNotConfigured,
)

VALIDATOR = "SessionLinkControllerValidator"
FIELDS_FAILED = "Campos no cumplen"


class MissingAuthorization(AuthenticationFailed):
    default_message = "No Authorization token"


class FieldsFailed(PorteroError):
    """Every failing field at once, as the seed's validator reports them."""

    def __init__(self, detail: dict[str, list[str]]) -> None:
        super().__init__(FIELDS_FAILED)
        self.detail = detail


def complaint(field: str, problem: str) -> str:
    wording = {
        "required": f"{field} is required.",
        "invalid": f"{field} is invalid.",
        "both": "categoryCode and userCode cannot be sent together.",
        "unknown": f"{field} does not exist.",
        "too_long": f"{field} is too long.",
    }[problem]
    return f"{VALIDATOR}: {wording}"


# Errors other than field validation: (HTTP status, statusCode, message).
OTHER_ERRORS: dict[type[PorteroError], tuple[int, int, str]] = {
    MissingAuthorization: (401, 9, "No Authorization token"),
    AuthenticationFailed: (401, 9, "Invalid Authorization token"),
    PartnerDisabled: (403, 9, "Account disabled"),
    PartnerNotConfigured: (403, 9, "Account not configured for calls"),
    StorageUnavailable: (503, 1, "Service unavailable, retry"),
    MethodNotAllowed: (405, 1, "Method Not Allowed"),
    RouteNotFound: (404, 1, "Not Found"),
}
BODY_ERRORS = (MalformedRequest, UnsupportedMediaType, PayloadTooLarge)
BODY_STATUS = {MalformedRequest: 400, UnsupportedMediaType: 415, PayloadTooLarge: 413}


def render(_request: Request, error: PorteroError) -> Response:
    if isinstance(error, FieldsFailed):
        body = {"statusCode": 2, "message": FIELDS_FAILED, "detail": error.detail}
        return JSONResponse(body, status_code=422)
    if isinstance(error, BODY_ERRORS):
        detail = {"body": [complaint("body", "invalid")]}
        body = {"statusCode": 2, "message": FIELDS_FAILED, "detail": detail}
        return JSONResponse(body, status_code=BODY_STATUS[type(error)])
    status, code, message = next(
        (OTHER_ERRORS[cls] for cls in type(error).__mro__ if cls in OTHER_ERRORS),
        (500, 1, "Internal error"),
    )
    headers = {"Retry-After": "1"} if status == 503 else None
    if isinstance(error, MethodNotAllowed) and error.allow:
        headers = {"Allow": error.allow}
    return JSONResponse(
        {"statusCode": code, "message": message}, status_code=status, headers=headers
    )
