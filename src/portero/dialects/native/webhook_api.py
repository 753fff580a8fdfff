"""Native API v1: the partner's webhook endpoints, their delivery log and redelivery
(docs/operators.md, "Webhooks")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.webhook_schemas import (
    WebhookDeliveryList,
    WebhookDeliveryOut,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookEndpointUpdate,
)
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, RuntimeDep, SessionDep, only_query_params
from portero.http.error_body import responses
from portero.webhooks import endpoints, log
from portero.webhooks.endpoints import EndpointChange

router = APIRouter(prefix="/v1", tags=["native API v1: webhooks"], responses=responses(429))
ID = r"^[a-z]{3}_[0-9a-z]{26}$"
EndpointId = Annotated[str, Path(pattern=ID)]
EventId = Annotated[str, Path(pattern=ID)]
Cursor = Annotated[
    str | None, Query(pattern=ID, description="Id of the last item of the previous page")
]
NO_QUERY = [Depends(only_query_params(frozenset()))]
PAGE_QUERY = [Depends(only_query_params(frozenset({"limit", "starting_after"})))]


@router.post(
    "/webhook-endpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookEndpointOut,
    responses=responses(400, 401, 403, 413, 415),
    openapi_extra=request_body(WebhookEndpointCreate),
    dependencies=NO_QUERY,
)
async def create_endpoint(
    request: Request, partner: CurrentPartner, session: SessionDep, runtime: RuntimeDep
) -> WebhookEndpointOut:
    """An endpoint that receives the events it names, signed with its secret (`secret`: in
    this answer only)."""
    body = await read_json(request, WebhookEndpointCreate)
    endpoint, secret = await endpoints.create(
        session,
        runtime.settings,
        partner_id=partner.id,
        url=body.url,
        enabled_events=body.enabled_events,
        description=body.description,
    )
    return WebhookEndpointOut.of(endpoint, secret=secret)


@router.get(
    "/webhook-endpoints",
    response_model=WebhookEndpointList,
    responses=responses(400, 401, 403),
    dependencies=PAGE_QUERY,
)
async def list_endpoints(
    partner: CurrentPartner,
    session: SessionDep,
    limit: PageLimit = 20,
    starting_after: Cursor = None,
) -> WebhookEndpointList:
    """The calling partner's endpoints, newest first."""
    page = await endpoints.listed(session, partner.id, limit=limit, after=starting_after)
    return WebhookEndpointList.of(page, WebhookEndpointOut.of)


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    response_model=WebhookEndpointOut,
    responses=responses(401, 403, 404),
    dependencies=NO_QUERY,
)
async def get_endpoint(
    endpoint_id: EndpointId, partner: CurrentPartner, session: SessionDep
) -> WebhookEndpointOut:
    return WebhookEndpointOut.of(await endpoints.require(session, partner.id, endpoint_id))


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response_model=WebhookEndpointOut,
    responses=responses(400, 401, 403, 404, 413, 415),
    openapi_extra=request_body(WebhookEndpointUpdate),
    dependencies=NO_QUERY,
)
async def update_endpoint(
    endpoint_id: EndpointId,
    request: Request,
    partner: CurrentPartner,
    session: SessionDep,
    runtime: RuntimeDep,
) -> WebhookEndpointOut:
    """Change the URL, the events, the description, or disable (`status`) the endpoint."""
    body = await read_json(request, WebhookEndpointUpdate)
    endpoint = await endpoints.update(
        session,
        runtime.settings,
        partner_id=partner.id,
        endpoint_id=endpoint_id,
        change=EndpointChange(
            url=body.url,
            enabled_events=body.enabled_events,
            description=body.description,
            status=body.status,
        ),
    )
    return WebhookEndpointOut.of(endpoint)


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404),
    dependencies=NO_QUERY,
)
async def delete_endpoint(
    endpoint_id: EndpointId, partner: CurrentPartner, session: SessionDep
) -> Response:
    """The endpoint, its pending deliveries and its delivery log."""
    await endpoints.remove(session, partner_id=partner.id, endpoint_id=endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response_model=WebhookEndpointOut,
    responses=responses(401, 403, 404),
    dependencies=NO_QUERY,
)
async def rotate_secret(
    endpoint_id: EndpointId, partner: CurrentPartner, session: SessionDep, runtime: RuntimeDep
) -> WebhookEndpointOut:
    """A new secret (`secret`, in this answer only); the previous one keeps signing beside it
    until `previous_secret_expires_at` (PORTERO_WEBHOOK_SECRET_OVERLAP_HOURS, 24 h)."""
    endpoint, secret = await endpoints.rotate(
        session, runtime.settings, partner_id=partner.id, endpoint_id=endpoint_id
    )
    return WebhookEndpointOut.of(endpoint, secret=secret)


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response_model=WebhookDeliveryList,
    responses=responses(400, 401, 403, 404),
    dependencies=PAGE_QUERY,
)
async def list_deliveries(
    endpoint_id: EndpointId,
    partner: CurrentPartner,
    session: SessionDep,
    limit: PageLimit = 20,
    starting_after: Cursor = None,
) -> WebhookDeliveryList:
    """The endpoint's deliveries, newest first, each with every try: its outcome, HTTP
    status, latency and the first bytes of the reply."""
    page, tries = await log.deliveries(
        session, partner_id=partner.id, endpoint_id=endpoint_id, limit=limit, after=starting_after
    )
    answer = WebhookDeliveryList.of(page, lambda row: WebhookDeliveryOut.of(row, tries))
    answer.url = f"/v1/webhook-endpoints/{endpoint_id}/deliveries"
    return answer


@router.post(
    "/webhook-endpoints/{endpoint_id}/events/{event_id}/redeliver",
    response_model=WebhookDeliveryOut,
    responses=responses(401, 403, 404, 409),
    dependencies=NO_QUERY,
)
async def redeliver(
    endpoint_id: EndpointId, event_id: EventId, partner: CurrentPartner, session: SessionDep
) -> WebhookDeliveryOut:
    """Send the event to the endpoint again, now, from the start of the retry schedule."""
    delivery, tries = await log.redeliver(
        session, partner_id=partner.id, endpoint_id=endpoint_id, event_id=event_id
    )
    return WebhookDeliveryOut.of(delivery, tries)
