"""The customer's callback request, from the page of a call nobody answered (bearer: the
page's play-session token, which the call's end has ended: see calls/callbacks.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from portero.calls import callbacks
from portero.calls.models import CallbackStatus
from portero.calls.runtime import publishing
from portero.http.error_body import responses
from portero.kit.clock import utcnow
from portero.kit.validation import Displayable
from portero.launches.deps import SessionToken

router = APIRouter(prefix="/play/api", tags=["call pages"])

Message = Annotated[str, StringConstraints(max_length=callbacks.MAX_MESSAGE), Displayable]


class CallbackRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferred_at: AwareDatetime | None = Field(
        default=None, description="When the customer would like the call: within 30 days."
    )
    message: Message | None = Field(
        default=None, description="Optional; blank is no message. At most 500 characters."
    )


class CallbackRequestOut(BaseModel):
    object: Literal["callback_request"] = "callback_request"
    id: str
    call_id: str
    status: CallbackStatus
    preferred_at: datetime | None
    message: str | None
    created_at: datetime


@router.post(
    "/call/callback",
    status_code=status.HTTP_201_CREATED,
    response_model=CallbackRequestOut,
    responses=responses(400, 401, 403, 409),
)
async def request_callback(
    request: Request, body: CallbackRequestIn, credentials: SessionToken
) -> CallbackRequestOut:
    """The customer asks to be called back after a call nobody answered: once, within a day
    of it (`409 callback_not_allowed` otherwise). Fires `callback.requested`."""
    token = credentials.credentials if credentials else None
    now = utcnow()
    made = await publishing(
        request,
        lambda session, outbox: callbacks.request(
            session, outbox, token=token, preferred_at=body.preferred_at,
            message=body.message, now=now,
        ),
    )  # fmt: skip
    return CallbackRequestOut(
        id=made.id,
        call_id=made.call_id,
        status=made.status,
        preferred_at=made.preferred_at,
        message=made.message,
        created_at=made.created_at,
    )
