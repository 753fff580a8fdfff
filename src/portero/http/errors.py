"""One place that turns any failure into the error of the API the request came through.

Framework errors (404, 405, 413, body validation) and storage faults are first translated to
Portero's own errors; then the renderer registered for the request's path prefix writes them
in its API's wire format. Dialects register a renderer; they never see framework exceptions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Scope

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
    UnsupportedMediaType,
)
from portero.kit.storage_errors import is_transient_storage_error, is_unstorable_text

log = logging.getLogger("portero.errors")

Renderer = Callable[[Request, PorteroError], Response]

_PROBLEMS: dict[str, FieldProblem] = {
    "missing": "missing",
    "extra_forbidden": "unknown",
    "string_too_long": "too_long",
    "string_too_short": "empty",
    "too_long": "too_long",
    "enum": "unsupported",
    "literal_error": "unsupported",
}


class ErrorRenderers:
    """Path prefix → renderer; the longest matching prefix wins, and `/` catches the rest."""

    def __init__(self) -> None:
        self._by_prefix: dict[str, Renderer] = {}

    def register(self, prefix: str, renderer: Renderer) -> None:
        if prefix in self._by_prefix:
            raise ValueError(f"two renderers for the errors of {prefix}")
        self._by_prefix[prefix] = renderer

    def for_path(self, path: str) -> Renderer:
        matching = (prefix for prefix in self._by_prefix if path.startswith(prefix))
        return self._by_prefix[max(matching, key=len)]

    def registered(self) -> dict[str, Renderer]:
        """Every prefix and its renderer (tests check that each answers every error)."""
        return dict(self._by_prefix)


def unmapped(api: str, error: PorteroError) -> None:
    """Called by a renderer whose table has no entry for `error`, before it answers its
    internal-error default: a missing entry is a bug, and must not hide as a silent 500."""
    if not isinstance(error, InternalError):
        log.error("the %s error table has no entry for %s", api, type(error).__name__)


def _param(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def translate_validation(error: RequestValidationError, request: Request) -> PorteroError:
    return translate_errors(error.errors(), request)


def translate_errors(errors: Sequence[Any], request: Request) -> PorteroError:
    """The first validation problem (FastAPI's or pydantic's own) as Portero's error."""
    first = errors[0]
    kind = first.get("type", "")
    if kind in ("json_invalid", "json_type"):
        return MalformedRequest()
    loc = tuple(first.get("loc", ()))
    if loc in ((), ("body",)):
        if not is_json(request.headers.get("content-type", "")):
            return UnsupportedMediaType("Send the body as application/json.")
        if kind == "missing":
            return MalformedRequest("The request body is empty; send a JSON object.")
        return MalformedRequest("The JSON body must be an object.")
    param = _param(loc)
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    return InvalidField(param, _PROBLEMS.get(kind, "invalid"), f"{param}: {message}")


def allowed_methods(request: Request) -> str:
    """Every method the path accepts: the router only names those of the first route that
    matched the path, and one path often has a GET route and a POST route."""
    routes: list[tuple[re.Pattern[str], set[str]]] = request.app.state.method_index
    path = request.url.path
    methods = {m for pattern, route_methods in routes if pattern.match(path) for m in route_methods}
    return ", ".join(sorted(methods))


def index_methods(routers: Sequence[APIRouter]) -> list[tuple[re.Pattern[str], set[str]]]:
    return [
        (route.path_regex, set(route.methods or ()))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def translate_http(error: HTTPException, request: Request) -> PorteroError:
    if error.status_code == 404:
        return RouteNotFound()
    if error.status_code == 405:
        return MethodNotAllowed(allow=allowed_methods(request))
    if error.status_code == 413:
        return PayloadTooLarge()
    if error.status_code == 415:
        return UnsupportedMediaType()
    return MalformedRequest(str(error.detail) if error.detail else None)


def install_error_handlers(app: FastAPI, renderers: ErrorRenderers) -> None:
    def render(request: Request, error: PorteroError) -> Response:
        return renderers.for_path(request.url.path)(request, error)

    async def on_portero_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PorteroError)
        return render(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(request, translate_validation(exc, request))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return render(request, translate_http(exc, request))

    async def on_storage(request: Request, exc: Exception) -> Response:
        if is_transient_storage_error(exc):
            log.warning("storage unavailable: %s", type(exc).__name__)
            return render(request, StorageUnavailable())
        if is_unstorable_text(exc):  # a byte the database refuses: the input's fault
            return render(request, MalformedRequest("The request contains unusable characters."))
        log.error("storage error", exc_info=exc)
        return render(request, InternalError())

    app.add_exception_handler(PorteroError, on_portero_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(SQLAlchemyError, on_storage)
    app.add_exception_handler(OSError, on_storage)
    app.add_exception_handler(asyncpg.PostgresError, on_storage)
    app.add_exception_handler(asyncpg.InterfaceError, on_storage)
    app.add_exception_handler(asyncpg.InternalClientError, on_storage)


CLIENT_CLOSED_REQUEST = 499  # nginx's status for a request its client abandoned


def unexpected_error_response(renderers: ErrorRenderers) -> Callable[[Scope, Exception], Response]:
    """For the request middleware: the answer to an exception nothing else handled (a bug),
    still in the caller's API format and still carrying the request id."""

    def respond(scope: Scope, exc: Exception) -> Response:
        request = Request(scope)
        if isinstance(exc, ClientDisconnect):
            # The caller hung up before its body arrived (a client's own timeout): nothing
            # failed here and nobody is left to answer. Counted as nginx counts it.
            log.info("client disconnected before its request was read")
            return Response(status_code=CLIENT_CLOSED_REQUEST)
        if is_transient_storage_error(exc):
            return renderers.for_path(request.url.path)(request, StorageUnavailable())
        log.error("unhandled error", exc_info=exc)
        return renderers.for_path(request.url.path)(request, InternalError())

    return respond
