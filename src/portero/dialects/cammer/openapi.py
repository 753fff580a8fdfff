"""Seed 002 in the OpenAPI document: its headers, its body and every answer of its error table,
the messages taken from the table the renderer uses (errors.py)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

from portero.dialects.cammer import errors
from portero.dialects.cammer.request import LIMITS
from portero.http.body import request_body
from portero.kit.errors import MethodNotAllowed, PorteroError, RouteNotFound, StorageUnavailable
from portero.partners.errors import AuthenticationFailed, PartnerDisabled, PartnerNotConfigured

TAG = "seed 002: agent call links"

# Read by the endpoint itself (bare or `Bearer …`); declared here so that the document has a
# security scheme for it (OpenAPI ignores a header parameter named Authorization).
AUTHORIZATION = APIKeyHeader(
    name="Authorization",
    scheme_name="CammerAuthorization",
    description="A partner token, bare (`prt_…`) or as `Bearer prt_…`.",
    auto_error=False,
)


class CammerTicket(BaseModel):
    title: str = Field(max_length=LIMITS["title"])
    description: str = Field(max_length=LIMITS["description"])


class CammerSessionRequest(BaseModel):
    """Every failing field is reported at once (statusCode 2)."""

    name: str = Field(max_length=LIMITS["name"], examples=["Abraham"])
    email: str | None = Field(default=None, max_length=LIMITS["email"])
    cellphone: str = Field(
        max_length=LIMITS["cellphone"],
        description="An international number; answered and stored in E.164.",
        examples=["+584141315854"],
    )
    categoryCode: str | None = Field(
        default=None, description="A category of the partner; never with userCode."
    )
    userCode: str | None = Field(
        default=None, description="An agent of the partner; never with categoryCode."
    )
    ticket: CammerTicket | list[CammerTicket] | None = Field(
        default=None, description="One object (the document's example) or a list of them."
    )


class CammerCustomer(BaseModel):
    name: str
    email: str | None
    cellphone: str


class CammerLink(BaseModel):
    link: str = Field(description="`/session/xxx-xxx-xxx-xx`: shared with the customer.")
    customer: CammerCustomer


class CammerSession(BaseModel):
    statusCode: Literal[0]
    message: Literal["Success"]
    data: CammerLink


class CammerFieldsFailed(BaseModel):
    statusCode: Literal[2]
    message: Literal["Campos no cumplen"]
    detail: dict[str, list[str]] = Field(description="The failing fields, dotted.")


class CammerFailure(BaseModel):
    statusCode: int = Field(description="9: authorization; 1: no code in the document for it.")
    message: str


def _failed(**fields: list[str]) -> dict[str, Any]:
    return {"statusCode": 2, "message": errors.FIELDS_FAILED, "detail": fields}


def _other(error: type[PorteroError]) -> dict[str, Any]:
    _status, code, message = errors.OTHER_ERRORS[error]
    return {"statusCode": code, "message": message}


def _example(summary: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"summary": summary, "value": body} if summary else {"value": body}


def _answer(
    model: type[BaseModel], description: str, **examples: tuple[str, dict[str, Any]]
) -> dict[str, Any]:
    answer: dict[str, Any] = {"model": model, "description": description}
    if examples:
        named = {key: _example(text, body) for key, (text, body) in examples.items()}
        answer["content"] = {"application/json": {"examples": named}}
    return answer


def _field_failures() -> dict[str, tuple[str, dict[str, Any]]]:
    both = [errors.complaint("categoryCode", "both")]
    return {
        "cellphone": (
            "cellphone missing",
            _failed(cellphone=[errors.complaint("cellphone", "required")]),
        ),
        "ticket": (
            "ticket.title missing",
            _failed(**{"ticket.title": [errors.complaint("ticket.title", "required")]}),
        ),
        "both": ("categoryCode and userCode together", _failed(categoryCode=both, userCode=both)),
        "unknown": (
            "A category the partner does not have",
            _failed(categoryCode=[errors.complaint("categoryCode", "unknown")]),
        ),
    }


def _answers() -> dict[int | str, dict[str, Any]]:
    unreadable = ("", _failed(body=[errors.complaint("body", "invalid")]))
    retry = ("", _other(StorageUnavailable))
    return {
        200: {"model": CammerSession, "description": "The link (`email` null when not sent)"},
        400: _answer(CammerFieldsFailed, "The body is not JSON or not an object", body=unreadable),
        401: _answer(
            CammerFailure,
            "No Authorization header, or an unknown or revoked token",
            missing=("No Authorization header", _other(errors.MissingAuthorization)),
            invalid=("Unknown or revoked token", _other(AuthenticationFailed)),
        ),
        403: _answer(
            CammerFailure,
            "The partner is disabled, or not configured for calls",
            disabled=("Disabled", _other(PartnerDisabled)),
            unconfigured=("Not configured for calls", _other(PartnerNotConfigured)),
        ),
        404: _answer(CammerFailure, "No such endpoint", route=("", _other(RouteNotFound))),
        405: _answer(
            CammerFailure, "Wrong method (`Allow`)", method=("", _other(MethodNotAllowed))
        ),
        413: _answer(CammerFieldsFailed, "Body over 64 KiB", body=unreadable),
        415: _answer(CammerFieldsFailed, "Body not application/json", body=unreadable),
        422: _answer(
            CammerFieldsFailed,
            "Field failures, all at once (an unknown category or agent code too)",
            **_field_failures(),
        ),
        429: _answer(
            CammerFailure,
            "statusCode 9: too many failed authorizations from the client's network; retry "
            "after `Retry-After` seconds",
        ),
        500: _answer(
            CammerFailure,
            "Unexpected error",
            error=("", {"statusCode": 1, "message": "Internal error"}),
        ),
        503: _answer(CammerFailure, "Database unavailable, retry (`Retry-After: 1`)", retry=retry),
    }


REQUESTED_WITH = {
    "name": "X-Requested-With",
    "in": "header",
    "required": True,
    "description": "Without it the request fails as a field (`X-Requested-With`).",
    "schema": {"type": "string", "enum": ["XMLHttpRequest"]},
}


def session_operation(summary: str) -> dict[str, Any]:
    """The keyword arguments of the endpoint, under each of the paths its clients use."""
    return {
        "summary": summary,
        "description": "Create the link that connects a customer with an agent: of a category "
        "(`categoryCode`), a given agent (`userCode`) or anyone (`docs/api/cammer.md`). The "
        "link opens again until its call has ended or it expires (24 h).",
        "dependencies": [Security(AUTHORIZATION)],
        "responses": _answers(),
        "openapi_extra": {"parameters": [REQUESTED_WITH], **request_body(CammerSessionRequest)},
    }
