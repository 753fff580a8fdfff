from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import JSONResponse, Response

from portero.dialects.native.errors import error_body
from portero.http.error_body import error_headers
from portero.kit.errors import PorteroError, RouteNotFound
from portero.kit.throttle import TooManyAttempts
from portero.launches.errors import (
    CallEnded,
    CallInProgress,
    LaunchAlreadyUsed,
    LaunchExpired,
    LaunchNotFound,
    LaunchRevoked,
    LinkUnusable,
    LinkWithdrawn,
    SessionExpired,
    SessionInvalid,
)
from portero.web.i18n import pick_language, texts
from portero.web.security_headers import page_headers

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

_PAGE_KEYS: dict[type[PorteroError], str] = {
    CallEnded: "call_ended",  # before LaunchAlreadyUsed, its base class
    CallInProgress: "call_in_progress",
    LinkWithdrawn: "link_withdrawn",  # before LaunchRevoked, its base class
    LaunchExpired: "link_expired",
    LaunchRevoked: "link_revoked",
    RouteNotFound: "link_missing",
    LaunchAlreadyUsed: "link_used",
    LaunchNotFound: "link_missing",
    SessionExpired: "session_expired",
    SessionInvalid: "session_expired",
    TooManyAttempts: "link_throttled",
}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def page(
    request: Request,
    name: str,
    *,
    language: str,
    frame_ancestors: tuple[str, ...] = (),
    status_code: int = 200,
    media: bool = False,
    **context: Any,
) -> Response:
    response = templates.TemplateResponse(
        request,
        name,
        {"lang": language, "t": texts(language), **context},
        status_code=status_code,
        headers=page_headers(frame_ancestors, media=media),
    )
    return response


def render_link_error(request: Request, error: PorteroError) -> Response:
    """Errors of the player-facing URLs: a localised page for browsers, the native API's JSON
    body for programs (Accept: application/json). Both carry `Portero-Link-Status`."""
    status, body = error_body(error)
    detail: Any = body["error"]
    headers = {"Portero-Link-Status": str(detail["code"]), **error_headers(error)}
    if wants_json(request):
        return JSONResponse(body, status_code=status, headers=headers)
    context = error.context if isinstance(error, LinkUnusable) else None
    language = pick_language(
        context.language if context else None, request.headers.get("accept-language")
    )
    key = next((k for cls, k in _PAGE_KEYS.items() if isinstance(error, cls)), "error")
    response = page(
        request,
        "link_error.html",
        language=language,
        frame_ancestors=context.frame_ancestors if context else (),
        status_code=status,
        key=key,
        status=detail["code"],
        return_url=context.return_url if context else None,
    )
    response.headers.update(headers)
    return response
