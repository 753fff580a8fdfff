"""Seed 002 endpoint: a shareable link that connects a customer with an agent."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from portero.calls import directory as calls
from portero.calls.errors import AgentNotFound, CategoryNotFound
from portero.dialects.cammer import errors
from portero.dialects.cammer.errors import FieldsFailed, MissingAuthorization, complaint
from portero.dialects.cammer.request import SessionLinkRequest, read_request
from portero.http.assembly import Assembly
from portero.http.errors import is_json
from portero.http.runtime import Runtime, runtime_of
from portero.kit.db import session_scope
from portero.kit.errors import MalformedRequest, UnsupportedMediaType
from portero.launches.issuing import issue_link
from portero.launches.schemas import LaunchCreate
from portero.launches.tokens import TokenShape
from portero.partners.auth import require_launchable
from portero.partners.schemas import PartnerSnapshot
from portero.web.links import serve_links

SOURCE = "cammer"
router = APIRouter(tags=["seed 002: agent call links"])


async def _partner(request: Request) -> PartnerSnapshot:
    header = request.headers.get("authorization", "").strip()
    token = header[7:].strip() if header.lower().startswith("bearer ") else header
    if not token:
        raise MissingAuthorization()
    return await runtime_of(request).authenticator.authenticate(token)


async def _body(request: Request) -> dict[str, Any]:
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType()
    try:
        data = json.loads(await request.body())
    except ValueError:
        raise MalformedRequest() from None
    if not isinstance(data, dict):
        raise MalformedRequest()
    return data


@router.post("/api/v1/access/external/cammer/generate-session", include_in_schema=False)
@router.post("/v1/access/external/cammer/generate-session", include_in_schema=False)
async def generate_session(request: Request) -> Response:
    """Create the link that connects a customer with an agent (by category, agent, or any)."""
    partner = await _partner(request)
    require_launchable(partner, "call")
    wanted = read_request(request.headers, await _body(request))
    runtime = runtime_of(request)
    await _check_codes(runtime, partner, wanted)
    params: dict[str, Any] = {"tickets": wanted.tickets}
    if wanted.category_code:
        params["category_code"] = wanted.category_code
    if wanted.agent_code:
        params["agent_code"] = wanted.agent_code
    launch = LaunchCreate.model_validate(
        {
            "product": "call",
            "params": params,
            # The seed knows customers by phone: their cellphone is their player id.
            "player": {
                "id": wanted.cellphone,
                "name": wanted.name,
                "email": wanted.email,
                "cellphone": wanted.cellphone,
            },
        }
    )
    link = await issue_link(
        runtime, partner, launch, source=SOURCE, token_shape=TokenShape.short_code
    )
    customer = {"name": wanted.name, "email": wanted.email, "cellphone": wanted.cellphone}
    return JSONResponse(
        {"statusCode": 0, "message": "Success", "data": {"link": link.url, "customer": customer}}
    )


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
    assembly.render_errors("/api/v1/access/external/cammer/", errors.render)
    assembly.render_errors("/v1/access/external/cammer/", errors.render)
    serve_links(assembly, SOURCE, "/session/{token}")
