"""Seed 002 endpoint: a shareable link that connects a customer with an agent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import JSONResponse, Response

from portero.calls import directory as calls
from portero.calls.errors import AgentNotFound, CategoryNotFound
from portero.dialects.cammer import errors, openapi
from portero.dialects.cammer.errors import FieldsFailed, MissingAuthorization, complaint
from portero.dialects.cammer.request import SessionLinkRequest, read_request
from portero.http.assembly import Assembly
from portero.http.body import parse_json
from portero.http.direct import RequestRoute, served_by
from portero.http.errors import is_json, translate_errors
from portero.http.runtime import Runtime, runtime_of
from portero.http.throttling import counting_failed_authentications
from portero.kit.db import session_scope
from portero.kit.errors import MalformedRequest, UnsupportedMediaType
from portero.launches.issuing import issue_link
from portero.launches.schemas import LaunchCreate
from portero.launches.tokens import TokenShape
from portero.partners.auth import require_launchable
from portero.partners.schemas import PartnerSnapshot
from portero.web.links import serve_links

SOURCE = "cammer"
router = APIRouter(tags=[openapi.TAG])


async def _partner(request: Request) -> PartnerSnapshot:
    header = request.headers.get("authorization", "").strip()
    token = header[7:].strip() if header.lower().startswith("bearer ") else header
    async with counting_failed_authentications(request):
        if not token:
            raise MissingAuthorization()
        return await runtime_of(request).authenticator.authenticate(token)


async def _body(request: Request) -> dict[str, Any]:
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType()
    data = parse_json(await request.body())
    if not isinstance(data, dict):
        raise MalformedRequest()
    return data


@served_by(
    RequestRoute,
    router,
    "/api/v1/access/external/cammer/generate-session",
    methods=["POST"],
    **openapi.session_operation("Create a session link"),
)
@served_by(
    RequestRoute,
    router,
    "/v1/access/external/cammer/generate-session",
    methods=["POST"],
    **openapi.session_operation("The same, without the /api prefix"),
)
async def generate_session(request: Request) -> Response:
    """Create the link that connects a customer with an agent (by category, agent, or any)."""
    partner = await _partner(request)
    require_launchable(partner, "call")
    wanted = read_request(request.headers, await _body(request))
    runtime = runtime_of(request)
    await _check_codes(runtime, partner, wanted)
    launch = _core_request(request, wanted)
    link = await issue_link(
        runtime, partner, launch, source=SOURCE, token_shape=TokenShape.short_code
    )
    customer = {"name": wanted.name, "email": wanted.email, "cellphone": wanted.cellphone}
    return JSONResponse(
        {"statusCode": 0, "message": "Success", "data": {"link": link.url, "customer": customer}}
    )


def _core_request(request: Request, wanted: SessionLinkRequest) -> LaunchCreate:
    """The launch the request becomes. The core may refuse what this API's reader let through:
    that refusal is a field failure like any other (the renderer names the document's field)."""
    params: dict[str, Any] = {"tickets": wanted.tickets}
    if wanted.category_code:
        params["category_code"] = wanted.category_code
    if wanted.agent_code:
        params["agent_code"] = wanted.agent_code
    # The seed knows customers by phone: their cellphone is their player id.
    player = {
        "id": wanted.cellphone,
        "name": wanted.name,
        "email": wanted.email,
        "cellphone": wanted.cellphone,
    }
    try:
        return LaunchCreate.model_validate({"product": "call", "params": params, "player": player})
    except ValidationError as error:
        raise translate_errors(error.errors(), request) from None


async def _check_codes(
    runtime: Runtime, partner: PartnerSnapshot, wanted: SessionLinkRequest
) -> None:
    """An unknown code is a field failure like any other (statusCode 2)."""
    if not (wanted.category_code or wanted.agent_code):
        return
    async with session_scope(runtime.sessions) as session:
        try:
            if wanted.category_code:
                await calls.require_category(
                    session, partner_id=partner.id, code=wanted.category_code
                )
            if wanted.agent_code:
                await calls.require_agent(session, partner_id=partner.id, code=wanted.agent_code)
        except (CategoryNotFound, AgentNotFound):
            field = "categoryCode" if wanted.category_code else "userCode"
            raise FieldsFailed({field: [complaint(field, "unknown")]}) from None


def install(assembly: Assembly) -> None:
    """Seed 002: the link endpoint (under both prefixes the document's clients use) and the
    shared session link it answers."""
    assembly.include(router)
    assembly.document_bodies(openapi.CammerSessionRequest)
    assembly.render_errors("/api/v1/access/external/cammer/", errors.render)
    assembly.render_errors("/v1/access/external/cammer/", errors.render)
    serve_links(assembly, SOURCE, "/session/{token}")
