"""The root of Portero's error hierarchy.

Domain errors say *what* went wrong and never *how to say it on the wire*: each API dialect owns
one table mapping these classes to its own status codes and bodies.
"""

from __future__ import annotations

from typing import ClassVar, Literal

FieldProblem = Literal[
    "missing", "empty", "invalid", "too_long", "unsupported", "unknown", "conflict"
]


class PorteroError(Exception):
    """Base class of every error Portero reports to a caller on purpose."""

    default_message: ClassVar[str] = "The request could not be completed."
    # Seconds after which the same request may succeed (a Retry-After header), for errors
    # that say "not now" rather than "no".
    retry_after: ClassVar[int | None] = None

    def __init__(self, message: str | None = None, *, param: str | None = None) -> None:
        self.message = message or self.default_message
        self.param = param
        super().__init__(self.message)


class Unauthenticated(PorteroError):
    """The caller's credentials (a partner token, a play session) are missing or not valid;
    the house error body goes with `WWW-Authenticate` (the seed APIs answer as their documents
    say)."""


class InvalidField(PorteroError):
    """One input field is missing, malformed, too long or not supported."""

    def __init__(self, param: str, problem: FieldProblem, message: str) -> None:
        super().__init__(message, param=param)
        self.problem: FieldProblem = problem


class MalformedRequest(PorteroError):
    default_message = "The request body could not be read (malformed JSON or bad encoding)."


class UnsupportedMediaType(PorteroError):
    default_message = "The request body has a content type this endpoint does not accept."


class PayloadTooLarge(PorteroError):
    default_message = "The request body is larger than this service accepts."


class RouteNotFound(PorteroError):
    default_message = "No such endpoint."


class MethodNotAllowed(PorteroError):
    default_message = "This endpoint does not accept that HTTP method."

    def __init__(self, message: str | None = None, *, allow: str | None = None) -> None:
        super().__init__(message)
        self.allow = allow


class StorageUnavailable(PorteroError):
    """The database cannot be reached or refused the work for a passing reason: retry."""

    default_message = "The service is temporarily unable to reach its database; retry shortly."


class InternalError(PorteroError):
    default_message = "An unexpected error occurred; it has been logged."
