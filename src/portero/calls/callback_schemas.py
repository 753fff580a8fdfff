"""A callback request as the native API shows it (`GET /v1/callbacks/{id}`), as its webhook
events carry it and as the agents' consoles list it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from portero.calls.models import CallbackStatus
from portero.calls.schemas import CallCustomer, CallTarget


class CallbackOut(BaseModel):
    object: Literal["callback"] = "callback"
    id: str
    status: CallbackStatus = Field(description="`open` until an agent or the API marks it done.")
    call_id: str = Field(description="The call nobody answered (`GET /v1/calls/{id}`).")
    customer: CallCustomer
    target: CallTarget = Field(description="Whom the call's link was for.")
    preferred_at: datetime | None = Field(description="When the customer would like the call.")
    message: str | None = Field(description="What the customer wrote, if anything.")
    created_at: datetime
    done_at: datetime | None
    done_by: str | None = Field(
        description="The code of the agent who marked it done, or `api`; null while open."
    )

    @classmethod
    def of(cls, row: Any) -> CallbackOut:
        return cls(
            id=row.id,
            status=CallbackStatus(row.status),
            call_id=row.call_id,
            customer=CallCustomer(
                id=row.customer_id,
                name=row.customer_name,
                cellphone=row.customer_cellphone,
                email=row.customer_email,
            ),
            target=CallTarget(agent=row.agent, category=row.category),
            preferred_at=row.preferred_at,
            message=row.message,
            created_at=row.created_at,
            done_at=row.done_at,
            done_by=row.done_by_agent if row.done_by == "agent" else row.done_by,
        )
