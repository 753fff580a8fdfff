"""A call as the native API shows it (`GET /v1/calls/{id}`), and as its webhook events carry
it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from portero.calls.models import CallStatus, MessageSender, OfferOutcome, TransferStatus
from portero.calls.records import CallRecord
from portero.calls.transcripts import file_of, message_id


class CallCustomer(BaseModel):
    id: str = Field(description="The partner's id for the customer (the launch's player).")
    name: str | None
    cellphone: str | None
    email: str | None


class CallTarget(BaseModel):
    agent: str | None = Field(description="The agent code the link was made for, if any.")
    category: str | None = Field(description="The category code the link was made for, if any.")


class CallAgentRef(BaseModel):
    code: str
    name: str


class CallOfferOut(BaseModel):
    agent: str = Field(description="Code of the agent the call rang on.")
    offered_at: datetime
    answered_at: datetime | None = Field(description="When the ringing stopped, however.")
    outcome: OfferOutcome | None = Field(description="null while it rings.")


class CallTransferOut(BaseModel):
    from_agent: str | None = Field(description="Code of the agent who handed the call over.")
    to_agent: str | None = Field(description="The agent asked for, if one was.")
    to_category: str | None = Field(description="The category asked for, if one was.")
    offered_to: str | None = Field(description="Code of the agent it rang on.")
    note: str | None = Field(description="What the first agent wrote for the next.")
    status: TransferStatus = Field(
        description="`ringing`, then `accepted`, `rejected`, `timeout` or `withdrawn`."
    )
    created_at: datetime
    answered_at: datetime | None = Field(description="When it stopped ringing, however.")


class CallLegOut(BaseModel):
    agent: str | None = Field(description="Code of the agent on the call in this stretch.")
    started_at: datetime = Field(description="The answer, or the transfer this agent took.")
    ended_at: datetime | None = Field(description="The end, or the transfer another took.")


class CallSatisfactionOut(BaseModel):
    score: int = Field(ge=1, le=5, description="1 (very poor) to 5 (excellent).")
    comment: str | None = Field(description="What the customer wrote, if anything.")
    rated_at: datetime


class CallOut(BaseModel):
    object: Literal["call"] = "call"
    id: str
    status: CallStatus
    launch_id: str
    customer: CallCustomer
    target: CallTarget
    agent: CallAgentRef | None = Field(description="Who answered, or on whom it rings now.")
    tickets: list[dict[str, Any]]
    created_at: datetime
    offered_at: datetime | None = Field(description="When it first rang on an agent.")
    answered_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None = Field(
        description="`customer`, `agent` or `system`; `closed`: it came outside the desk's hours."
    )
    duration_seconds: int | None = Field(description="From the answer to the end.")
    offers: list[CallOfferOut] = Field(description="Each agent it rang on, in order.")
    satisfaction: CallSatisfactionOut | None = Field(
        description="The customer's rating after a completed call; null until they give one."
    )
    transfers: list[CallTransferOut] = Field(description="Each transfer asked for, in order.")
    legs: list[CallLegOut] = Field(
        description="Each agent's stretch of the call, in order (one unless it was transferred)."
    )

    @classmethod
    def of(cls, call: CallRecord) -> CallOut:
        agent = None
        if call.agent_code is not None and call.agent_name is not None:
            agent = CallAgentRef(code=call.agent_code, name=call.agent_name)
        return cls(
            id=call.id,
            status=call.status,
            launch_id=call.launch_id,
            customer=CallCustomer(
                id=call.customer_id,
                name=call.customer_name,
                cellphone=call.customer_cellphone,
                email=call.customer_email,
            ),
            target=CallTarget(agent=call.target_agent, category=call.target_category),
            agent=agent,
            tickets=call.tickets,
            created_at=call.created_at,
            offered_at=call.offered_at,
            answered_at=call.answered_at,
            ended_at=call.ended_at,
            ended_by=call.ended_by,
            duration_seconds=call.duration_seconds,
            offers=[
                CallOfferOut(
                    agent=o.agent_code,
                    offered_at=o.offered_at,
                    answered_at=o.answered_at,
                    outcome=OfferOutcome(o.outcome) if o.outcome else None,
                )
                for o in call.offers
            ],
            satisfaction=_satisfaction_of(call),
            transfers=[
                CallTransferOut(
                    from_agent=t.from_agent,
                    to_agent=t.to_agent,
                    to_category=t.to_category,
                    offered_to=t.offered_to,
                    note=t.note,
                    status=TransferStatus(t.status),
                    created_at=t.created_at,
                    answered_at=t.answered_at,
                )
                for t in call.transfers
            ],
            legs=[
                CallLegOut(agent=leg.agent_code, started_at=leg.started_at, ended_at=leg.ended_at)
                for leg in call.legs
            ],
        )


def _satisfaction_of(call: CallRecord) -> CallSatisfactionOut | None:
    rating = call.satisfaction
    if rating is None:
        return None
    return CallSatisfactionOut(score=rating.score, comment=rating.comment, rated_at=rating.rated_at)


class CallFileRef(BaseModel):
    id: str
    name: str = Field(description="As the sender's browser named it, cleaned up.")
    content_type: str = Field(description="As the file's content says.")
    size: int = Field(description="Bytes.")
    url: str = Field(description="`/v1/calls/{id}/files/{file_id}`: the file itself.")


class CallMessageOut(BaseModel):
    """One chat message of a call's transcript (calls/transcripts.py)."""

    object: Literal["call_message"] = "call_message"
    id: str
    sent_at: datetime = Field(description="When Portero relayed it to the other party.")
    sender: MessageSender
    agent: CallAgentRef | None = Field(
        description="The agent who wrote it, or who was on the call when the customer did."
    )
    text: str = Field(description="What was written; for a file, its name.")
    file: CallFileRef | None = Field(description="The file this message sent, if it did.")

    @classmethod
    def of(cls, row: Any, call_id: str) -> CallMessageOut:
        agent = CallAgentRef(code=row.agent_code, name=row.agent_name) if row.agent_code else None
        sent = file_of(row)
        return cls(
            id=message_id(row.id),
            sent_at=row.sent_at,
            sender=MessageSender(row.sender),
            agent=agent,
            text=row.text,
            file=CallFileRef(url=f"/v1/calls/{call_id}/files/{sent['id']}", **sent)
            if sent
            else None,
        )
