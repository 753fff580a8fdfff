"""The native API's error table: core error class → HTTP status, error type, code, in the
house body (`http/error_body.py`)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import JSONResponse, Response

from portero.calls.errors import (
    AgentNotFound,
    CallbackNotAllowed,
    CallbackNotFound,
    CallNotActive,
    CallNotFound,
    CallNotRatable,
    CallTaken,
    CategoryNotFound,
    NotACallSession,
    NotAnAgentConsole,
    OfferGone,
)
from portero.http.error_body import ErrorType, error_headers, house_body
from portero.http.errors import unmapped
from portero.kit.errors import (
    InternalError,
    InvalidField,
    MalformedRequest,
    MethodNotAllowed,
    PayloadTooLarge,
    PorteroError,
    RouteNotFound,
    StorageUnavailable,
    UnsupportedMediaType,
)
from portero.kit.throttle import TooManyAttempts
from portero.launches.errors import (
    CallInProgress,
    IdempotencyKeyReused,
    LaunchAlreadyUsed,
    LaunchExpired,
    LaunchNotFound,
    LaunchNotRevocable,
    LaunchRevoked,
    LinkWithdrawn,
    SessionExpired,
    SessionInvalid,
    SessionLossLimitReached,
    SessionTerminated,
    SessionTimeLimitReached,
)
from portero.partners.errors import (
    AuthenticationFailed,
    PartnerDisabled,
    PartnerNotConfigured,
    PartnerNotFound,
    PartnerTokenNotFound,
    ProductNotAllowed,
)
from portero.players.errors import PlayerNotFound
from portero.roulette.errors import IllegalBet, RoundIdReused, StakeOutOfLimits, TableClosed
from portero.rounds.errors import (
    AmountNotCarried,
    LossLimitReached,
    RealityCheckDue,
    RoundInProgress,
    RoundNotFailed,
    RoundNotFound,
    StakeOverLimit,
    WalletModeLocked,
    WalletNotConfigured,
    WalletRefused,
    WalletUnavailable,
)
from portero.slots.errors import BetNotOffered, GameUnavailable, SpinIdReused
from portero.wallet.errors import (
    InsufficientFunds,
    TransferIdReused,
    WalletModeMismatch,
    WalletTransferNotFound,
)
from portero.webhooks.errors import DeliveryInFlight, EndpointNotFound, EventNotFound

ERROR_TABLE: dict[type[PorteroError], tuple[int, ErrorType, str]] = {
    InvalidField: (400, "invalid_request_error", "parameter_invalid"),
    MalformedRequest: (400, "invalid_request_error", "body_malformed"),
    UnsupportedMediaType: (415, "invalid_request_error", "unsupported_media_type"),
    PayloadTooLarge: (413, "invalid_request_error", "body_too_large"),
    RouteNotFound: (404, "invalid_request_error", "route_not_found"),
    MethodNotAllowed: (405, "invalid_request_error", "method_not_allowed"),
    AuthenticationFailed: (401, "authentication_error", "authentication_failed"),
    PartnerDisabled: (403, "permission_error", "partner_disabled"),
    PartnerNotConfigured: (403, "permission_error", "partner_not_configured"),
    ProductNotAllowed: (403, "permission_error", "product_not_allowed"),
    PartnerNotFound: (404, "invalid_request_error", "resource_missing"),
    PartnerTokenNotFound: (404, "invalid_request_error", "resource_missing"),
    PlayerNotFound: (404, "invalid_request_error", "resource_missing"),
    LaunchNotFound: (404, "invalid_request_error", "resource_missing"),
    CategoryNotFound: (404, "invalid_request_error", "resource_missing"),
    AgentNotFound: (404, "invalid_request_error", "resource_missing"),
    CallNotFound: (404, "invalid_request_error", "resource_missing"),
    CallbackNotFound: (404, "invalid_request_error", "resource_missing"),
    # The call product's own refusals (its sockets answer them; here for completeness): an
    # offer that has gone is missing, a call over is like an ended call's link, a session of
    # another product is the wrong one.
    OfferGone: (404, "invalid_request_error", "resource_missing"),
    CallNotActive: (409, "invalid_request_error", "launch_already_used"),
    CallNotRatable: (409, "invalid_request_error", "call_not_ratable"),
    CallbackNotAllowed: (409, "invalid_request_error", "callback_not_allowed"),
    CallTaken: (409, "invalid_request_error", "call_in_progress"),
    NotACallSession: (403, "permission_error", "wrong_product"),
    NotAnAgentConsole: (403, "permission_error", "wrong_product"),
    LaunchExpired: (410, "invalid_request_error", "launch_expired"),
    LinkWithdrawn: (410, "invalid_request_error", "launch_withdrawn"),
    LaunchRevoked: (410, "invalid_request_error", "launch_revoked"),
    CallInProgress: (409, "invalid_request_error", "call_in_progress"),
    LaunchAlreadyUsed: (409, "invalid_request_error", "launch_already_used"),
    LaunchNotRevocable: (409, "invalid_request_error", "launch_not_revocable"),
    IdempotencyKeyReused: (409, "idempotency_error", "idempotency_key_reused"),
    SessionInvalid: (401, "authentication_error", "session_invalid"),
    # A play session ended by a limit or by its partner says which (the pages tell the player).
    SessionTimeLimitReached: (401, "authentication_error", "session_time_limit_reached"),
    SessionLossLimitReached: (401, "authentication_error", "session_loss_limit_reached"),
    SessionTerminated: (401, "authentication_error", "session_terminated"),
    SessionExpired: (401, "authentication_error", "session_expired"),
    IllegalBet: (400, "invalid_request_error", "bet_illegal"),
    StakeOutOfLimits: (400, "invalid_request_error", "bet_out_of_limits"),
    InsufficientFunds: (409, "invalid_request_error", "insufficient_funds"),
    RoundIdReused: (409, "idempotency_error", "round_id_reused"),
    TableClosed: (403, "permission_error", "wrong_product"),
    GameUnavailable: (403, "permission_error", "game_unavailable"),
    BetNotOffered: (400, "invalid_request_error", "bet_not_offered"),
    SpinIdReused: (409, "idempotency_error", "spin_id_reused"),
    # Responsible gaming (the session's limits, set at launch).
    StakeOverLimit: (400, "invalid_request_error", "stake_over_limit"),
    LossLimitReached: (409, "invalid_request_error", "loss_limit_reached"),
    RealityCheckDue: (409, "invalid_request_error", "reality_check_due"),
    # Players' money (docs/wallets.md).
    WalletUnavailable: (502, "api_error", "wallet_unavailable"),
    WalletRefused: (409, "invalid_request_error", "wallet_refused"),
    AmountNotCarried: (400, "invalid_request_error", "amount_not_supported"),
    RoundInProgress: (503, "api_error", "round_in_progress"),
    RoundNotFound: (404, "invalid_request_error", "resource_missing"),
    RoundNotFailed: (409, "invalid_request_error", "round_not_failed"),
    WalletModeLocked: (409, "invalid_request_error", "rounds_in_flight"),
    WalletNotConfigured: (400, "invalid_request_error", "wallet_not_configured"),
    TransferIdReused: (409, "idempotency_error", "transaction_id_reused"),
    WalletModeMismatch: (409, "invalid_request_error", "wallet_mode_mismatch"),
    WalletTransferNotFound: (404, "invalid_request_error", "resource_missing"),
    # Webhooks (docs/operators.md).
    EndpointNotFound: (404, "invalid_request_error", "resource_missing"),
    EventNotFound: (404, "invalid_request_error", "resource_missing"),
    DeliveryInFlight: (409, "invalid_request_error", "delivery_in_flight"),
    TooManyAttempts: (429, "invalid_request_error", "too_many_attempts"),
    StorageUnavailable: (503, "api_error", "storage_unavailable"),
    InternalError: (500, "api_error", "internal_error"),
}

# InvalidField says which way a field failed; the native API says it in the code.
FIELD_CODES = {
    "missing": "parameter_missing",
    "empty": "parameter_invalid",
    "invalid": "parameter_invalid",
    "too_long": "parameter_too_long",
    "unsupported": "parameter_unsupported",
    "unknown": "parameter_unknown",
    "conflict": "parameter_conflict",
}


def classify(error: PorteroError) -> tuple[int, ErrorType, str]:
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            status, kind, code = ERROR_TABLE[cls]
            if isinstance(error, InvalidField):
                code = FIELD_CODES[error.problem]
            return status, kind, code
    unmapped("native", error)
    return ERROR_TABLE[InternalError]


def error_body(error: PorteroError) -> tuple[int, dict[str, object]]:
    status, kind, code = classify(error)
    return status, house_body(error, kind=kind, code=code)


def render(_request: Request, error: PorteroError) -> Response:
    status, body = error_body(error)
    return JSONResponse(body, status_code=status, headers=error_headers(error))
