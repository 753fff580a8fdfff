"""The events a call reports to the partner's webhooks, recorded in the transaction of the
change: `call.requested` (a customer joined the queue), `call.answered`, `call.missed`
(nobody answered in time, or nobody can: its agent or category is gone) and `call.ended`
(hung up after an answer, or abandoned by the customer before one: `status` tells which).
`data` is the call as `GET /v1/calls/{id}` answers it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import records
from portero.calls.schemas import CallOut
from portero.webhooks import events


async def call_event(
    session: AsyncSession, *, partner_id: int, call_id: str, event_type: str
) -> None:
    async def data() -> Any:
        return CallOut.of(await records.get_call(session, partner_id=partner_id, call_id=call_id))

    await events.record(session, partner_id=partner_id, event_type=event_type, data=data)
