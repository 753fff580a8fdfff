"""Seed 002's answers: statusCode 0 success, 2 validation ("Campos no cumplen", with one entry
per failing field), 9 authorization; HTTP statuses are Portero's choice (docs/api/cammer.md)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import JSONResponse, Response

from portero.calls.errors import (
    AgentNotFound,
    CallbackNotFound,
    CallNotActive,
    CallNotFound,
    CallTaken,
    CategoryNotFound,
    NotACallSession,
    NotAnAgentConsole,
    OfferGone,
)
from portero.http.errors import unmapped
from portero.http.throttling import retry_headers
from portero.kit.errors import (
    InternalError,
    InvalidField,
    MalformedRequest,
    MethodNotAllowed,
    PayloadTooLarge,
    PorteroError,
    RouteNotFound,
    StorageUnavailable,
    Unauthenticated,
    UnsupportedMediaType,
)
from portero.kit.throttle import TooManyAttempts
from portero.launches.errors import (
    IdempotencyKeyReused,
    LaunchNotFound,
    LaunchNotRevocable,
    LinkUnusable,
)
from portero.partners.errors import (
    AuthenticationFailed,
    PartnerDisabled,
    PartnerNotConfigured,
    PartnerNotFound,
    PartnerTokenNotFound,
)
from portero.players.errors import PlayerNotFound
from portero.roulette.errors import BetRefused, RoundIdReused, TableClosed
from portero.rounds.errors import LossLimitReached, RealityCheckDue, StakeOverLimit
from portero.slots.errors import BetNotOffered, GameUnavailable, SpinIdReused
from portero.wallet.errors import InsufficientFunds, WalletError
from portero.webhooks.errors import WebhookError

VALIDATOR = "SessionLinkControllerValidator"
FIELDS_FAILED = "Campos no cumplen"


class MissingAuthorization(AuthenticationFailed):
    default_message = "No Authorization token"


class FieldsFailed(InvalidField):
    """Every failing field at once, as the seed's validator reports them."""

    def __init__(self, detail: dict[str, list[str]]) -> None:
        super().__init__(next(iter(detail), "body"), "invalid", FIELDS_FAILED)
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


# The core's names for the fields this API sends it (launches.schemas.LaunchCreate) → the
# document's: a refusal by the core is reported on the field the partner sent.
SEED_FIELDS = {
    "player.id": "cellphone",  # the customer's id is their cellphone
    "player.name": "name",
    "player.email": "email",
    "player.cellphone": "cellphone",
    "params.category_code": "categoryCode",
    "params.agent_code": "userCode",
    "params.tickets": "ticket",
}
DOCUMENTED_FIELDS = frozenset({"name", "email", "cellphone", "categoryCode", "userCode", "ticket"})
WORDING = {"missing": "required", "empty": "required", "too_long": "too_long"}
# A code that names nothing of the partner's is a field failure (statusCode 2).
MISSING_CODES: dict[type[PorteroError], str] = {
    CategoryNotFound: "categoryCode",
    AgentNotFound: "userCode",
}


def field_failure(error: InvalidField) -> FieldsFailed:
    """A field refused by the core (or by another part), as this API's validator says it."""
    param = error.param or "body"
    field = SEED_FIELDS.get(param) or param.replace("params.tickets.", "ticket.", 1)
    if field.split(".", 1)[0] not in DOCUMENTED_FIELDS:
        field = "body"  # not a field of this API's request: the request as a whole
    return FieldsFailed({field: [complaint(field, WORDING.get(error.problem, "invalid"))]})


# Errors other than field validation: (HTTP status, statusCode, message).
OTHER_ERRORS: dict[type[PorteroError], tuple[int, int, str]] = {
    MissingAuthorization: (401, 9, "No Authorization token"),
    AuthenticationFailed: (401, 9, "Invalid Authorization token"),
    Unauthenticated: (401, 9, "Invalid Authorization token"),
    PartnerNotFound: (401, 9, "Invalid Authorization token"),
    PartnerTokenNotFound: (401, 9, "Invalid Authorization token"),
    PartnerDisabled: (403, 9, "Account disabled"),
    PartnerNotConfigured: (403, 9, "Account not configured for calls"),
    StorageUnavailable: (503, 1, "Service unavailable, retry"),
    # Only authorizations are throttled here: 9 is the document's code for them.
    TooManyAttempts: (429, 9, "Too many failed attempts, retry later"),
    MethodNotAllowed: (405, 1, "Method Not Allowed"),
    RouteNotFound: (404, 1, "Not Found"),
    InternalError: (500, 1, "Internal error"),
    # Not reachable through this API's endpoint today (it issues links; the products behind them
    # answer in the native body): statusCode 1, the document's "no code for it", with the
    # HTTP status the native API gives them.
    LaunchNotFound: (404, 1, "Not Found"),
    PlayerNotFound: (404, 1, "Not Found"),
    CallNotFound: (404, 1, "Not Found"),
    CallbackNotFound: (404, 1, "Not Found"),
    OfferGone: (404, 1, "Not Found"),
    IdempotencyKeyReused: (409, 1, "Conflict"),
    LinkUnusable: (409, 1, "Conflict"),
    LaunchNotRevocable: (409, 1, "Conflict"),
    CallNotActive: (409, 1, "Conflict"),
    CallTaken: (409, 1, "Conflict"),
    RoundIdReused: (409, 1, "Conflict"),
    SpinIdReused: (409, 1, "Conflict"),
    InsufficientFunds: (409, 1, "Conflict"),
    LossLimitReached: (409, 1, "Conflict"),
    RealityCheckDue: (409, 1, "Conflict"),
    StakeOverLimit: (400, 1, "Bad Request"),
    WalletError: (409, 1, "Conflict"),
    WebhookError: (404, 1, "Not Found"),
    TableClosed: (403, 1, "Forbidden"),
    GameUnavailable: (403, 1, "Forbidden"),
    NotACallSession: (403, 1, "Forbidden"),
    NotAnAgentConsole: (403, 1, "Forbidden"),
    BetRefused: (400, 1, "Bad Request"),
    BetNotOffered: (400, 1, "Bad Request"),
}
BODY_STATUS: dict[type[PorteroError], int] = {
    MalformedRequest: 400,
    UnsupportedMediaType: 415,
    PayloadTooLarge: 413,
}
INTERNAL = OTHER_ERRORS[InternalError]


def _other(error: PorteroError) -> tuple[int, int, str]:
    for cls in type(error).__mro__:
        if cls in OTHER_ERRORS:
            return OTHER_ERRORS[cls]
    unmapped("seed 002", error)
    return INTERNAL


def _fields_failed(detail: dict[str, list[str]], status: int) -> Response:
    body = {"statusCode": 2, "message": FIELDS_FAILED, "detail": detail}
    return JSONResponse(body, status_code=status)


def render(_request: Request, error: PorteroError) -> Response:
    if isinstance(error, InvalidField):
        failed = error if isinstance(error, FieldsFailed) else field_failure(error)
        return _fields_failed(failed.detail, 422)
    body_status = next((BODY_STATUS[c] for c in type(error).__mro__ if c in BODY_STATUS), None)
    if body_status is not None:
        return _fields_failed({"body": [complaint("body", "invalid")]}, body_status)
    missing = next((MISSING_CODES[c] for c in type(error).__mro__ if c in MISSING_CODES), None)
    if missing is not None:
        return _fields_failed({missing: [complaint(missing, "unknown")]}, 422)
    status, code, message = _other(error)
    headers = {"Retry-After": "1"} if status == 503 else None
    if isinstance(error, MethodNotAllowed) and error.allow:
        headers = {"Allow": error.allow}
    if isinstance(error, TooManyAttempts):
        headers = retry_headers(error)
    return JSONResponse(
        {"statusCode": code, "message": message}, status_code=status, headers=headers
    )
