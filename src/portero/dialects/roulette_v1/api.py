"""Seed 000 endpoints: request a roulette session, then load it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import JSONResponse, Response

from portero.dialects.roulette_v1 import errors, openapi
from portero.dialects.roulette_v1.errors import MissingParameter
from portero.http.assembly import Assembly
from portero.http.body import parse_json
from portero.http.direct import RequestRoute, served_by
from portero.http.errors import is_json, translate_errors
from portero.http.runtime import runtime_of
from portero.http.throttling import counting_failed_authentications
from portero.kit.errors import MalformedRequest
from portero.kit.ids import partner_number
from portero.launches.issuing import issue_link
from portero.launches.schemas import LaunchCreate
from portero.launches.tokens import TokenShape
from portero.partners.auth import require_launchable
from portero.partners.errors import AuthenticationFailed
from portero.web.links import serve_links

SOURCE = "roulette_v1"
ACCEPTED_PATH = "/1.0/request/accepted/{token}"

# The document checks the parameters in this order, each with its own code.
PARAMETERS = (
    ("TokenId", 501),
    ("ClientId", 502),
    ("UserId", 503),
    ("UserName", 504),
    ("UserEmail", 505),
)

router = APIRouter(prefix="/1.0", tags=[openapi.TAG])


async def read_parameters(request: Request) -> dict[str, str]:
    """The parameters as form fields (urlencoded or multipart) or a JSON object. A body that
    cannot be read carries no parameters, so it fails the first check (501)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    try:
        if is_json(media_type):
            data: Any = parse_json(await request.body())
        elif media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            data = dict(await request.form())
        else:
            return {}
    except (MalformedRequest, ValueError, HTTPException, MultiPartException):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): str(v).strip()
        for k, v in data.items()
        if isinstance(v, str | int) and not isinstance(v, bool)
    }


@served_by(
    RequestRoute,
    router,
    "/request_session",
    methods=["POST"],
    **openapi.session_operation("roulette_v1_request_session", "Request a session", PARAMETERS),
)
@served_by(
    RequestRoute,
    router,
    "/request/session",
    methods=["POST"],
    **openapi.session_operation(
        "roulette_v1_request_session_alias", "Request a session (the example's path)", PARAMETERS
    ),
)
async def request_session(request: Request) -> Response:
    """Register or update the user and answer the URL of their roulette view."""
    values = await read_parameters(request)
    for name, code in PARAMETERS:
        if not values.get(name):
            raise MissingParameter(name, code)
    runtime = runtime_of(request)
    client_id = partner_number(values["ClientId"])
    async with counting_failed_authentications(request):
        if client_id is None:
            raise AuthenticationFailed()
        partner = await runtime.authenticator.authenticate(values["TokenId"], partner_id=client_id)
    require_launchable(partner, "roulette")
    player = {"id": values["UserId"], "nickname": values["UserName"], "email": values["UserEmail"]}
    try:
        launch = LaunchCreate.model_validate({"product": "roulette", "player": player})
    except ValidationError as error:
        raise translate_errors(error.errors(), request) from None
    link = await issue_link(runtime, partner, launch, source=SOURCE, token_shape=TokenShape.uuid)
    return JSONResponse({"status": "OK", "code": 200, "url": link.url})


def install(assembly: Assembly) -> None:
    """Seed 000: its session endpoint, the accepted URL its links use (the document's JSON
    errors for programs, the link pages for browsers), and the 511 of the roulette table's API."""
    assembly.include(router)
    assembly.document_bodies(openapi.RouletteV1SessionRequest)
    assembly.document_path(ACCEPTED_PATH, openapi.accepted_path_item())
    assembly.render_errors("/1.0/", errors.render)
    serve_links(assembly, SOURCE, ACCEPTED_PATH, errors=errors.render_accepted)
    assembly.render_errors("/play/api/roulette/", errors.render_table_api)
