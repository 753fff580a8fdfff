"""Seed 000's error table: core error class → the document's exact body."""

from __future__ import annotations

from typing import Any

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
from portero.dialects.native import errors as native_errors
from portero.http.error_body import error_headers
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
    SessionExpired,
    SessionInvalid,
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
from portero.web.rendering import render_link_error, wants_json
from portero.webhooks.errors import WebhookError


class MissingParameter(InvalidField):
    """One of the five parameters is absent or blank (codes 501-505, in the document's order)."""

    def __init__(self, name: str, code: int) -> None:
        super().__init__(name, "missing", f"{name} is Required")
        self.code = code


def _error(code: int | str, description: str, *, key: str = "code") -> dict[str, Any]:
    return {"status": "ERROR", key: code, "description": description}


# The document's bodies, irregularities included: 508 is a string, 510 and 511 use
# `code_error` (510 a number, 511 the string "511"), and 511 has two spaces.
INVALID_CLIENT = _error(506, "Invalid Id / Token of Client")
CLIENT_DISABLED = _error(507, "Client Disabled")
CONFIG_ERROR = _error("508", "Error Config Client")
CREATE_USER_ERROR = _error(509, "Error Create User")
LOAD_CONTENT_ERROR = _error(510, "Error Load Content", key="code_error")
SESSION_EXPIRED = _error("511", "Session Expired -  No Content", key="code_error")

# A body that cannot be read carries no parameters: the first check fails (501).
TOKEN_REQUIRED = _error(501, "TokenId is Required")

ERROR_TABLE: dict[type[PorteroError], dict[str, Any]] = {
    AuthenticationFailed: INVALID_CLIENT,
    PartnerNotFound: INVALID_CLIENT,
    PartnerTokenNotFound: INVALID_CLIENT,
    PartnerDisabled: CLIENT_DISABLED,
    PartnerNotConfigured: CONFIG_ERROR,  # also ProductNotAllowed: may not launch roulette
    UnsupportedMediaType: TOKEN_REQUIRED,
    PayloadTooLarge: TOKEN_REQUIRED,
    InvalidField: CREATE_USER_ERROR,  # the user's details cannot be registered
    MalformedRequest: CREATE_USER_ERROR,  # text the database refuses to store
    PlayerNotFound: CREATE_USER_ERROR,
    IdempotencyKeyReused: CREATE_USER_ERROR,
    StorageUnavailable: CREATE_USER_ERROR,
    # The document has no "retry later" code: 509 is what a passing fault already answers.
    TooManyAttempts: CREATE_USER_ERROR,
    LinkUnusable: SESSION_EXPIRED,  # expired, revoked, already consumed
    LaunchNotFound: SESSION_EXPIRED,
    LaunchNotRevocable: SESSION_EXPIRED,
    Unauthenticated: SESSION_EXPIRED,  # a play session that has ended
    RouteNotFound: LOAD_CONTENT_ERROR,
    InternalError: LOAD_CONTENT_ERROR,
}
# Errors of the products behind the link, which this API's endpoints do not reach today (the
# table's play API answers in the native body): the content cannot be loaded.
ERROR_TABLE |= dict.fromkeys(
    (
        BetRefused,
        BetNotOffered,
        InsufficientFunds,
        StakeOverLimit,
        LossLimitReached,
        RealityCheckDue,
        WalletError,
        WebhookError,
        RoundIdReused,
        SpinIdReused,
        TableClosed,
        GameUnavailable,
        CategoryNotFound,
        AgentNotFound,
        CallNotFound,
        CallbackNotFound,
        OfferGone,
        CallNotActive,
        CallTaken,
        NotACallSession,
        NotAnAgentConsole,
    ),
    LOAD_CONTENT_ERROR,
)


def body_for(error: PorteroError, *, loading: bool = False) -> dict[str, Any]:
    """`loading`: the error happened while loading the roulette view (the accepted URL), where
    a passing fault is 510 rather than 509."""
    if isinstance(error, MissingParameter):
        return _error(error.code, error.message)
    if loading and isinstance(error, StorageUnavailable | TooManyAttempts):
        return LOAD_CONTENT_ERROR
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    unmapped("seed 000", error)
    return LOAD_CONTENT_ERROR


def render(request: Request, error: PorteroError) -> Response:
    """Errors of `/1.0/request_session` (and anything else under `/1.0/`)."""
    if isinstance(error, MethodNotAllowed):
        return _method_not_allowed(error)
    if isinstance(error, TooManyAttempts):
        return _throttled(error, loading=False)
    return JSONResponse(body_for(error), status_code=200)


def _method_not_allowed(error: MethodNotAllowed) -> Response:
    """Not in the document: the HTTP status says it, in the document's shape."""
    headers = {"Allow": error.allow} if error.allow else None
    return JSONResponse(_error(405, "Method Not Allowed"), status_code=405, headers=headers)


def _throttled(error: TooManyAttempts, *, loading: bool) -> Response:
    """Not in the document: HTTP 429 and Retry-After say it (a client must not retry at once),
    in the body the document gives a passing fault (509, or 510 while loading)."""
    body = body_for(error, loading=loading)
    return JSONResponse(body, status_code=429, headers=retry_headers(error))


def render_accepted(request: Request, error: PorteroError) -> Response:
    """Errors of the accepted URL: the document's 510/511 bodies for programs, the localised
    link pages for browsers."""
    if wants_json(request):
        if isinstance(error, MethodNotAllowed):
            return _method_not_allowed(error)
        if isinstance(error, TooManyAttempts):
            return _throttled(error, loading=True)
        return JSONResponse(body_for(error, loading=True), status_code=200)
    return render_link_error(request, error)


def render_table_api(request: Request, error: PorteroError) -> Response:
    """Errors of the roulette table's play API: Portero's native errors, except that a play
    session that has ended answers the document's 511 body (with HTTP 401)."""
    if isinstance(error, SessionExpired | SessionInvalid):
        headers = error_headers(error)
        return JSONResponse(SESSION_EXPIRED, status_code=401, headers=headers)
    return native_errors.render(request, error)
