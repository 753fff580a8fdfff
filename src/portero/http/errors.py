"""One place that turns any failure into the error of the API the request came through.

Framework errors (404, 405, 413, body validation) and storage faults are first translated to
Portero's own errors; then the renderer registered for the request's path prefix writes them
in its API's wire format. Dialects register a renderer; they never see framework exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.responses import Response

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
from portero.kit.storage_errors import is_transient_storage_error

log = logging.getLogger("portero.errors")

Renderer = Callable[[Request, PorteroError], Response]

_PROBLEMS: dict[str, FieldProblem] = {
    "missing": "missing",
    "extra_forbidden": "unknown",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "enum": "unsupported",
    "literal_error": "unsupported",
}


class ErrorRenderers:
    """Path prefix → renderer; the longest matching prefix wins."""

    def __init__(self, default: Renderer) -> None:
        self._default = default
        self._by_prefix: list[tuple[str, Renderer]] = []

    def register(self, prefix: str, renderer: Renderer) -> None:
        self._by_prefix.append((prefix, renderer))
        self._by_prefix.sort(key=lambda item: len(item[0]), reverse=True)

    def for_path(self, path: str) -> Renderer:
        return next((r for p, r in self._by_prefix if path.startswith(p)), self._default)


def _param(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


def translate_validation(error: RequestValidationError, request: Request) -> PorteroError:
    first = error.errors()[0]
    kind = first.get("type", "")
    if kind in ("json_invalid", "json_type"):
        return MalformedRequest()
    loc = first.get("loc", ())
    if tuple(loc) == ("body",) and kind in ("model_attributes_type", "dict_type"):
        content_type = request.headers.get("content-type", "")
        if "json" not in content_type:
            return UnsupportedMediaType("Send the body as application/json.")
        return MalformedRequest("The JSON body must be an object.")
    param = _param(loc)
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    return InvalidField(param, _PROBLEMS.get(kind, "invalid"), f"{param}: {message}")


def translate_http(error: HTTPException) -> PorteroError:
    if error.status_code == 404:
        return RouteNotFound()
    if error.status_code == 405:
        return MethodNotAllowed()
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
        return render(request, translate_http(exc))

    async def on_storage(request: Request, exc: Exception) -> Response:
        if is_transient_storage_error(exc):
            log.warning("storage unavailable: %s", type(exc).__name__)
            return render(request, StorageUnavailable())
        log.error("storage error", exc_info=exc)
        return render(request, InternalError())

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        if is_transient_storage_error(exc):
            return await on_storage(request, exc)
        log.error("unhandled error", exc_info=exc)
        return render(request, InternalError())

    app.add_exception_handler(PorteroError, on_portero_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(SQLAlchemyError, on_storage)
    app.add_exception_handler(OSError, on_storage)
    app.add_exception_handler(Exception, on_unexpected)
