"""Native API v1, call product: the partner's categories and agents, agents' console links, and
the records of its calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from portero.calls import directory as calls
from portero.calls import files as call_files
from portero.calls import records, transcripts
from portero.calls.console import console_launch
from portero.calls.file_api import download
from portero.calls.models import CallStatus, Presence
from portero.calls.schemas import CallMessageOut
from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.call_schemas import (
    AgentCreate,
    AgentList,
    AgentOut,
    AgentUpdate,
    CallList,
    CallOut,
    CallTranscript,
    CategoryCreate,
    CategoryList,
    CategoryOut,
    CategoryUpdate,
    ConsoleLinkCreate,
    ConsoleLinkOut,
)
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, RuntimeDep, SessionDep, only_query_params
from portero.http.error_body import responses
from portero.http.runtime import runtime_of
from portero.kit.db import session_scope
from portero.launches.issuing import issue_link
from portero.partners.auth import require_launchable
from portero.products.registry import ProductName

# Every operation authenticates the partner, and failed authentications are throttled (429).
router = APIRouter(prefix="/v1", tags=["native API v1: calls"], responses=responses(429))
PAGE_QUERY_PARAMS = frozenset({"limit", "starting_after"})
AGENT_QUERY_PARAMS = PAGE_QUERY_PARAMS | {"category", "presence"}
CALL_QUERY_PARAMS = PAGE_QUERY_PARAMS | {"agent", "status"}
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
CodeCursor = Annotated[
    str | None,
    Query(
        max_length=64, pattern=_PRINTABLE, description="Code of the last item of the previous page"
    ),
]
# The console-link body has only optional fields: it may be left out altogether.
OPTIONAL = {"required": False}


@router.post(
    "/call-categories",
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryOut,
    responses=responses(400, 401, 403, 413, 415),
    openapi_extra=request_body(CategoryCreate),
)
async def create_category(
    request: Request, partner: CurrentPartner, session: SessionDep
) -> CategoryOut:
    """A category of calls (`category_code` of a call link)."""
    body = await read_json(request, CategoryCreate)
    return CategoryOut.of(await calls.add_category(session, partner_id=partner.id, name=body.name))


@router.get(
    "/call-categories",
    response_model=CategoryList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(PAGE_QUERY_PARAMS))],
)
async def list_categories(
    partner: CurrentPartner,
    session: SessionDep,
    limit: PageLimit = 20,
    starting_after: CodeCursor = None,
) -> CategoryList:
    """The calling partner's categories, newest first, a page at a time."""
    page = await calls.list_categories(
        session, partner_id=partner.id, limit=limit, starting_after=starting_after
    )
    return CategoryList.of(page, CategoryOut.of)


@router.get(
    "/call-categories/{code}", response_model=CategoryOut, responses=responses(401, 403, 404)
)
async def get_category(code: str, partner: CurrentPartner, session: SessionDep) -> CategoryOut:
    """One category of the calling partner."""
    return CategoryOut.of(await calls.require_category(session, partner_id=partner.id, code=code))


@router.patch(
    "/call-categories/{code}",
    response_model=CategoryOut,
    responses=responses(400, 401, 403, 404, 413, 415),
    openapi_extra=request_body(CategoryUpdate),
)
async def update_category(
    code: str, request: Request, partner: CurrentPartner, session: SessionDep
) -> CategoryOut:
    """Rename a category; its code, and the links made with it, stay as they are."""
    body = await read_json(request, CategoryUpdate)
    category = await calls.update_category(
        session, partner_id=partner.id, code=code, name=body.name
    )
    return CategoryOut.of(category)


@router.post(
    "/agents",
    status_code=status.HTTP_201_CREATED,
    response_model=AgentOut,
    responses=responses(400, 401, 403, 413, 415),
    openapi_extra=request_body(AgentCreate),
)
async def create_agent(request: Request, partner: CurrentPartner, session: SessionDep) -> AgentOut:
    """An agent, serving the given categories (`agent_code` of a call link)."""
    body = await read_json(request, AgentCreate)
    agent, served = await calls.add_agent(
        session,
        partner_id=partner.id,
        name=body.name,
        category_codes=body.categories,
        capacity=body.capacity,
    )
    return AgentOut.of(agent, served)


@router.get(
    "/agents",
    response_model=AgentList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(AGENT_QUERY_PARAMS))],
)
async def list_agents(
    partner: CurrentPartner,
    session: SessionDep,
    category: Annotated[
        str | None,
        Query(max_length=64, pattern=_PRINTABLE, description="Only agents serving this category"),
    ] = None,
    presence: Presence | None = None,
    limit: PageLimit = 20,
    starting_after: CodeCursor = None,
) -> AgentList:
    """The calling partner's agents, newest first, a page at a time."""
    page = await calls.list_agents(
        session,
        partner_id=partner.id,
        limit=limit,
        starting_after=starting_after,
        category=category,
        presence=presence,
    )
    return AgentList.of(page, lambda found: AgentOut.of(*found))


@router.get("/agents/{code}", response_model=AgentOut, responses=responses(401, 403, 404))
async def get_agent(code: str, partner: CurrentPartner, session: SessionDep) -> AgentOut:
    """One agent of the calling partner."""
    agent = await calls.require_agent(session, partner_id=partner.id, code=code)
    served = await calls.categories_of(session, partner_id=partner.id, agent_ids=[agent.id])
    return AgentOut.of(agent, served[agent.id])


@router.patch(
    "/agents/{code}",
    response_model=AgentOut,
    responses=responses(400, 401, 403, 404, 413, 415),
    openapi_extra=request_body(AgentUpdate),
)
async def update_agent(
    code: str, request: Request, partner: CurrentPartner, session: SessionDep
) -> AgentOut:
    """Change an agent's name, capacity or categories (`categories` replaces the set)."""
    body = await read_json(request, AgentUpdate)
    agent, served = await calls.update_agent(
        session,
        partner_id=partner.id,
        code=code,
        name=body.name,
        category_codes=body.categories,
        capacity=body.capacity,
    )
    return AgentOut.of(agent, served)


@router.post(
    "/agents/{code}/console-links",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsoleLinkOut,
    responses=responses(400, 401, 403, 404, 413, 415),
    openapi_extra={"requestBody": request_body(ConsoleLinkCreate)["requestBody"] | OPTIONAL},
)
async def create_console_link(
    code: str, request: Request, partner: CurrentPartner, runtime: RuntimeDep
) -> ConsoleLinkOut:
    """A one-time link that signs the agent in to the call console (the body may be empty)."""
    # Portero keeps no agent passwords: the partner signs its agents in and mints this link.
    body = (
        await read_json(request, ConsoleLinkCreate)
        if (await request.body()).strip()
        else ConsoleLinkCreate()
    )
    require_launchable(partner, ProductName.console)  # 403 before saying whether it exists
    async with session_scope(runtime.sessions) as session:
        agent = await calls.require_agent(session, partner_id=partner.id, code=code)
        launch = console_launch(agent, expires_in=body.expires_in)
    link = await issue_link(runtime, partner, launch)
    issued = link.issued.launch
    return ConsoleLinkOut(
        launch_id=issued.id, agent=agent.code, url=link.url, expires_at=issued.expires_at
    )


@router.get(
    "/calls",
    response_model=CallList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(CALL_QUERY_PARAMS))],
)
async def list_calls(
    partner: CurrentPartner,
    session: SessionDep,
    agent: Annotated[
        str | None,
        Query(max_length=64, pattern=_PRINTABLE, description="Calls for or answered by this agent"),
    ] = None,
    status: CallStatus | None = None,
    limit: PageLimit = 20,
    starting_after: Annotated[
        str | None,
        Query(
            pattern=records.CALL_ID_PATTERN, description="Id of the last call of the previous page"
        ),
    ] = None,
) -> CallList:
    """The calling partner's calls, newest first, a page at a time."""
    page = await records.list_calls(
        session,
        partner_id=partner.id,
        limit=limit,
        starting_after=starting_after,
        agent=agent,
        status=status,
    )
    return CallList.of(page, CallOut.of)


@router.get("/calls/{call_id}", response_model=CallOut, responses=responses(401, 403, 404))
async def get_call(call_id: str, partner: CurrentPartner, session: SessionDep) -> CallOut:
    """One call of the calling partner: who, for whom, who answered, how it ended."""
    return CallOut.of(await records.get_call(session, partner_id=partner.id, call_id=call_id))


@router.get(
    "/calls/{call_id}/transcript",
    response_model=CallTranscript,
    responses=responses(400, 401, 403, 404),
    dependencies=[Depends(only_query_params(PAGE_QUERY_PARAMS))],
)
async def get_transcript(
    call_id: str,
    partner: CurrentPartner,
    session: SessionDep,
    limit: PageLimit = 100,
    starting_after: Annotated[
        str | None,
        Query(pattern=r"^msg_[0-9]{1,18}$", description="Id of the previous page's last message"),
    ] = None,
) -> CallTranscript:
    """The call's chat (the customer's and the agent's messages), oldest first, a page at a
    time. Kept with the call and removed with it."""
    page = await transcripts.transcript(
        session, partner_id=partner.id, call_id=call_id, limit=limit, after=starting_after
    )
    items = [CallMessageOut.of(row, call_id) for row in page.items]
    return CallTranscript(url=f"/v1/calls/{call_id}/transcript", data=items, has_more=page.has_more)


@router.get(
    "/calls/{call_id}/files/{file_id}",
    response_class=Response,
    responses=responses(401, 403, 404, 503),
    dependencies=[Depends(only_query_params(frozenset()))],
)
async def get_call_file(
    request: Request, call_id: str, file_id: str, partner: CurrentPartner
) -> Response:
    """A file sent in the call's chat, as it was sent (an attachment, its type as its content
    says)."""
    async with session_scope(runtime_of(request).sessions) as session:
        row = await call_files.of_partner(
            session, partner_id=partner.id, call_id=call_id, file_id=file_id
        )
    return await download(request, row)
