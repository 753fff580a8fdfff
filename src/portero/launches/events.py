"""The events a launch reports to the partner's webhooks, recorded in the transaction of the
change: `launch.opened` (its first opening), `launch.expired` (recorded by the expiry sweep),
`launch.revoked`. `data` is the launch as `GET /v1/launches/{id}` answers it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.launches import repository
from portero.launches.views import LaunchOut
from portero.webhooks import events


async def launch_event(
    session: AsyncSession, *, partner_id: int, launch_id: str, event_type: str
) -> None:
    async def data() -> Any:
        launch = await repository.get(session, partner_id=partner_id, launch_id=launch_id)
        assert launch is not None, "the launch was just changed in this transaction"
        return LaunchOut.of(launch, url=None, now=utcnow())

    await events.record(session, partner_id=partner_id, event_type=event_type, data=data)
