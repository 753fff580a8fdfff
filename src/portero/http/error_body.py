"""The house error contract: the body `{"error": {type, code, message, param}}` that the native
API, the products' play APIs, the pages (for programs) and operations answer with, its OpenAPI
declarations, and the HTTP headers that go with an error whatever the body's format.

Which status, type and code a given error gets is the native dialect's table
(`dialects/native/errors.py`); the seed dialects have tables of their own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from portero.kit.errors import MethodNotAllowed, PorteroError, StorageUnavailable, Unauthenticated
from portero.kit.throttle import TooManyAttempts

ErrorType = Literal[
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "idempotency_error",
    "api_error",
]


class ErrorDetail(BaseModel):
    type: ErrorType = Field(description="The broad class of error.")
    code: str = Field(description="A stable, machine-readable code (see docs/api/native.md).")
    message: str = Field(description="A human-readable explanation; may change over time.")
    param: str | None = Field(description="The request field at fault, dotted, if any.")


class ErrorBody(BaseModel):
    error: ErrorDetail


def house_body(error: PorteroError, *, kind: ErrorType, code: str) -> dict[str, object]:
    detail = {"type": kind, "code": code, "message": error.message, "param": error.param}
    return {"error": detail}


def error_headers(error: PorteroError) -> dict[str, str]:
    """The HTTP headers that go with an error, whatever the body's format."""
    if isinstance(error, StorageUnavailable):
        return {"Retry-After": "1"}
    if isinstance(error, TooManyAttempts):
        return {"Retry-After": str(error.retry_after_seconds)}
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="portero"'}
    if isinstance(error, MethodNotAllowed) and error.allow:
        return {"Allow": error.allow}
    if error.retry_after is not None:
        return {"Retry-After": str(error.retry_after)}
    return {}


_DESCRIBED = {
    400: "Invalid request (a field, or the body itself)",
    401: "Missing or invalid credentials",
    403: "Partner disabled, not configured, or not allowed this product",
    404: "No such resource",
    409: "Conflict (a reused request id, a state that forbids the action, a balance "
    "that does not cover the stake)",
    410: "The link is no longer usable",
    413: "Body larger than 64 KiB",
    415: "Body is not JSON",
    429: "Too many failed attempts from this address: retry after Retry-After seconds",
    502: "The partner's wallet did not confirm: the round was not played",
    503: "Database unavailable, or the round still being settled: retry (see Retry-After)",
}


def responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI declarations of the error bodies a route can answer (500 and 503 always)."""
    chosen = {*statuses, 500, 503}
    return {
        status: {"model": ErrorBody, "description": _DESCRIBED.get(status, "Internal error")}
        for status in sorted(chosen)
    }
