"""The customer's rating of a completed call, from the call's page (bearer: the page's play
session token, which the call's end has ended: see calls/satisfaction.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from portero.calls import satisfaction
from portero.calls.runtime import publishing
from portero.http.error_body import responses
from portero.kit.clock import utcnow
from portero.launches.deps import SessionToken

router = APIRouter(prefix="/play/api", tags=["call pages"])

Comment = Annotated[str, StringConstraints(max_length=satisfaction.MAX_COMMENT)]


class CallRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: StrictInt = Field(ge=1, le=5, description="1 (very poor) to 5 (excellent).")
    comment: Comment | None = Field(
        default=None, description="Optional; blank is no comment. At most 1,000 characters."
    )


class CallRatingOut(BaseModel):
    object: Literal["call_rating"] = "call_rating"
    call_id: str
    score: int
    comment: str | None
    rated_at: datetime


@router.post("/call/rating", response_model=CallRatingOut, responses=responses(400, 401, 403, 409))
async def rate_call(
    request: Request, body: CallRatingIn, credentials: SessionToken
) -> CallRatingOut:
    """The customer rates the call this page made, once it has been completed: once, within
    a day of its end (`409 call_not_ratable` otherwise). Fires `call.rated`."""
    token = credentials.credentials if credentials else None
    now = utcnow()
    call = await publishing(
        request,
        lambda session, outbox: satisfaction.rate(
            session, outbox, token=token, score=body.score, comment=body.comment, now=now
        ),
    )
    rating = call.satisfaction
    assert rating is not None, "kept in this transaction"
    return CallRatingOut(
        call_id=call.id, score=rating.score, comment=rating.comment, rated_at=rating.rated_at
    )
