"""Native API v1, the call desk: its opening hours (the partner's default and each category's)
and the callback requests its customers leave (calls/hours.py, calls/callbacks.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from portero.calls import callbacks, desk_stats, hours
from portero.calls import directory as calls
from portero.calls.callback_schemas import CallbackOut
from portero.calls.models import CallbackStatus
from portero.calls.runtime import publishing
from portero.calls.stats_schemas import DeskStatsOut
from portero.calls.wallboard import wallboard_launch
from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.desk_schemas import (
    CallbackList,
    CallbackUpdate,
    HoursOut,
    WallboardLinkCreate,
    WallboardLinkOut,
)
from portero.http.body import read_json, request_body
from portero.http.deps import PageLimit, RuntimeDep, SessionDep, only_query_params
from portero.http.error_body import responses
from portero.kit.clock import utcnow
from portero.launches.issuing import issue_link
from portero.partners.auth import require_launchable
from portero.products.registry import ProductName

router = APIRouter(prefix="/v1", tags=["native API v1: calls"], responses=responses(429))
CALLBACK_QUERY_PARAMS = frozenset({"limit", "starting_after", "status"})
CallbackCursor = Annotated[
    str | None,
    Query(pattern=r"^cb_[0-9a-z]{26}$", description="Id of the last request of the previous page"),
]


@router.get(
    "/callbacks",
    response_model=CallbackList,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(CALLBACK_QUERY_PARAMS))],
)
async def list_callbacks(
    partner: CurrentPartner,
    session: SessionDep,
    status: CallbackStatus | None = None,
    limit: PageLimit = 20,
    starting_after: CallbackCursor = None,
) -> CallbackList:
    """The callback requests the partner's customers left, newest first, a page at a time."""
    page = await callbacks.list_callbacks(
        session, partner_id=partner.id, limit=limit, starting_after=starting_after, status=status
    )
    return CallbackList.of(page, lambda found: found)


@router.get(
    "/callbacks/{callback_id}", response_model=CallbackOut, responses=responses(401, 403, 404)
)
async def get_callback(
    callback_id: str, partner: CurrentPartner, session: SessionDep
) -> CallbackOut:
    """One callback request: who, about which call, when they would like it, and its status."""
    return await callbacks.get(session, partner_id=partner.id, callback_id=callback_id)


@router.patch(
    "/callbacks/{callback_id}",
    response_model=CallbackOut,
    responses=responses(400, 401, 403, 404, 413, 415),
    openapi_extra=request_body(CallbackUpdate),
)
async def update_callback(
    callback_id: str, request: Request, partner: CurrentPartner
) -> CallbackOut:
    """Mark a request done (`{"status": "done"}`): it leaves the agents' consoles. Fires
    `callback.done`; a request already done is answered as it is."""
    await read_json(request, CallbackUpdate)
    now = utcnow()
    return await publishing(
        request,
        lambda session, outbox: callbacks.mark_done(
            session, outbox, partner_id=partner.id, callback_id=callback_id, now=now
        ),
    )


@router.get("/call-hours", response_model=HoursOut, responses=responses(401, 403))
async def get_hours(partner: CurrentPartner, session: SessionDep) -> HoursOut:
    """The partner's opening hours: those of every call of no category with hours of its own
    (null: always open)."""
    return HoursOut.of(None, await hours.partner_default(session, partner_id=partner.id))


@router.put(
    "/call-hours",
    response_model=HoursOut,
    responses=responses(400, 401, 403, 413, 415),
    openapi_extra=request_body(hours.OpeningHours),
)
async def set_hours(request: Request, partner: CurrentPartner, session: SessionDep) -> HoursOut:
    """Set the partner's opening hours (the whole set: weekly intervals, closed dates, the
    offline message)."""
    body = await read_json(request, hours.OpeningHours)
    await hours.set_partner_default(session, partner_id=partner.id, hours=body)
    return HoursOut.of(None, body)


@router.delete("/call-hours", response_model=HoursOut, responses=responses(401, 403))
async def clear_hours(partner: CurrentPartner, session: SessionDep) -> HoursOut:
    """No opening hours: the desk is always open (but for categories with hours of their own)."""
    await hours.set_partner_default(session, partner_id=partner.id, hours=None)
    return HoursOut.of(None, None)


@router.get(
    "/call-categories/{code}/hours", response_model=HoursOut, responses=responses(401, 403, 404)
)
async def get_category_hours(code: str, partner: CurrentPartner, session: SessionDep) -> HoursOut:
    """The category's own opening hours (null: it follows the partner's)."""
    category = await calls.require_category(session, partner_id=partner.id, code=code)
    return HoursOut.of(category.code, hours.hours_of(category.hours))


@router.put(
    "/call-categories/{code}/hours",
    response_model=HoursOut,
    responses=responses(400, 401, 403, 404, 413, 415),
    openapi_extra=request_body(hours.OpeningHours),
)
async def set_category_hours(
    code: str, request: Request, partner: CurrentPartner, session: SessionDep
) -> HoursOut:
    """Set the category's own opening hours, in place of the partner's for its calls."""
    body = await read_json(request, hours.OpeningHours)
    found = await hours.set_for_category(session, partner_id=partner.id, code=code, hours=body)
    return HoursOut.of(found, body)


@router.delete(
    "/call-categories/{code}/hours", response_model=HoursOut, responses=responses(401, 403, 404)
)
async def clear_category_hours(code: str, partner: CurrentPartner, session: SessionDep) -> HoursOut:
    """The category follows the partner's opening hours again."""
    found = await hours.set_for_category(session, partner_id=partner.id, code=code, hours=None)
    return HoursOut.of(found, None)


@router.get(
    "/desk/stats",
    response_model=DeskStatsOut,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(frozenset()))],
)
async def get_desk_stats(partner: CurrentPartner, session: SessionDep) -> DeskStatsOut:
    """The desk's figures now, per category: customers waiting and the longest wait, agents
    by presence, calls in progress, and the day's missed and answered calls, average wait and
    talk time, and satisfaction (the wallboard's figures)."""
    return await desk_stats.for_partner(session, partner_id=partner.id, now=utcnow())


@router.post(
    "/wallboard-links",
    status_code=status.HTTP_201_CREATED,
    response_model=WallboardLinkOut,
    responses=responses(400, 401, 403, 413, 415),
    openapi_extra=request_body(WallboardLinkCreate),
)
async def create_wallboard_link(
    request: Request, partner: CurrentPartner, runtime: RuntimeDep
) -> WallboardLinkOut:
    """A one-time link that signs a supervisor in to the desk's wallboard."""
    body = await read_json(request, WallboardLinkCreate)
    require_launchable(partner, ProductName.wallboard)
    launch = wallboard_launch(
        body.supervisor, body.name, language=body.language, expires_in=body.expires_in
    )
    link = await issue_link(runtime, partner, launch)
    issued = link.issued.launch
    return WallboardLinkOut(
        launch_id=issued.id, supervisor=body.supervisor, url=link.url, expires_at=issued.expires_at
    )
