"""Seed 001's error table. G codes are generic failures; V codes are validation failures,
one per field and rule, numbered in the manner of Evolution's UA2 API (docs/api/luckymonaco.md)."""

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
    FieldProblem,
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

# The document's message, word for word (its trailing space included).
AUTH_MESSAGE = (
    "Could not authenticate, please review sent data and try again. If problem persists, "
    "contact customer support "
)
RETRY_MESSAGE = (
    "System error, should be retried, in case of constant occurrences should be "
    "reported to LuckyMonaco."
)


class Invalid(InvalidField):
    """A validation failure with its V code."""

    def __init__(
        self, code: str, message: str, *, param: str = "body", problem: FieldProblem = "invalid"
    ) -> None:
        super().__init__(param, problem, message)
        self.code = code


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


def invalid(field: str, problem: FieldProblem, message: str) -> Invalid:
    if problem == "empty":  # an empty value is a missing one (Evolution's "V.16 uuid empty")
        problem = "missing"
    code = V_CODES.get((field, problem)) or V_CODES.get((field, "invalid")) or "V.1"
    # A refusal translated from a model already names its field.
    named = field == "body" or message.startswith(f"{field}: ")
    text = message if named else f"{field}: {message}"
    return Invalid(code, text, param=field, problem=problem)


INTERNAL = (500, "G.01", RETRY_MESSAGE)
STATUS_AND_CODE: dict[type[PorteroError], tuple[int, str, str | None]] = {
    Unauthenticated: (401, "G.0", AUTH_MESSAGE),  # a bad token, or an ended play session
    PartnerNotFound: (401, "G.0", AUTH_MESSAGE),
    PartnerTokenNotFound: (401, "G.0", AUTH_MESSAGE),
    PartnerDisabled: (401, "G.0", AUTH_MESSAGE),
    PartnerNotConfigured: (401, "G.0", AUTH_MESSAGE),
    StorageUnavailable: (503, "G.01", RETRY_MESSAGE),
    InternalError: INTERNAL,
    # G.01 is the document's "should be retried"; the message says when.
    TooManyAttempts: (429, "G.01", None),
    IdempotencyKeyReused: (409, "V.18", "uuid: already used for a different request"),
    MalformedRequest: (400, "V.1", None),
    UnsupportedMediaType: (415, "V.1", "Send the body as application/json."),
    PayloadTooLarge: (413, "V.1", "The request body is larger than 64 KiB."),
    MethodNotAllowed: (405, "G.02", "Use POST."),
    RouteNotFound: (404, "G.02", "No such endpoint."),
    # Not reachable through this API's endpoints today (they issue links; the products behind
    # them answer in the native body). The closest codes, with the error's own message: a
    # reused request id is V.18, a refused bet V.1, anything else not available here G.02.
    RoundIdReused: (409, "V.18", None),
    SpinIdReused: (409, "V.18", None),
    BetRefused: (400, "V.1", None),
    BetNotOffered: (400, "V.1", None),
    InsufficientFunds: (409, "G.02", None),
    StakeOverLimit: (400, "V.1", None),  # a stake over the player's limit: a refused bet
    LossLimitReached: (409, "G.02", None),
    RealityCheckDue: (409, "G.02", None),
    WalletError: (409, "G.02", None),
    WebhookError: (404, "G.02", None),
    LaunchNotFound: (404, "G.02", None),
    PlayerNotFound: (404, "G.02", None),
    CategoryNotFound: (404, "G.02", None),
    AgentNotFound: (404, "G.02", None),
    CallNotFound: (404, "G.02", None),
    CallbackNotFound: (404, "G.02", None),
    OfferGone: (404, "G.02", None),
    LinkUnusable: (410, "G.02", None),
    LaunchNotRevocable: (409, "G.02", None),
    CallNotActive: (409, "G.02", None),
    CallTaken: (409, "G.02", None),
    TableClosed: (403, "G.02", None),
    GameUnavailable: (403, "G.02", None),
    NotACallSession: (403, "G.02", None),
    NotAnAgentConsole: (403, "G.02", None),
}


def _status_and_code(error: PorteroError) -> tuple[int, str, str | None]:
    for cls in type(error).__mro__:
        if cls in STATUS_AND_CODE:
            return STATUS_AND_CODE[cls]
    unmapped("seed 001", error)
    return INTERNAL


def render(_request: Request, error: PorteroError) -> Response:
    # Invalid before InvalidField, its base: it already carries its V code.
    if isinstance(error, InvalidField) and not isinstance(error, Invalid):
        error = invalid(error.param or "body", error.problem, error.message)
    if isinstance(error, Invalid):
        status, code, message = 400, error.code, error.message
    else:
        status, code, fixed = _status_and_code(error)
        message = fixed or error.message
    headers = {"Retry-After": "1"} if status == 503 else None
    if isinstance(error, MethodNotAllowed) and error.allow:
        headers = {"Allow": error.allow}
    if isinstance(error, TooManyAttempts):
        headers = retry_headers(error)
    return JSONResponse(
        {"errors": {"code": code, "message": message}}, status_code=status, headers=headers
    )
