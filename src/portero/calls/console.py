"""An agent's console link: a one-time launch of the `console` product, so that Portero keeps
no agent passwords: the partner signs its agents in through its own systems and mints the link.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.directory import require_agent
from portero.calls.models import CallAgent
from portero.launches import service as launches
from portero.launches.links import NATIVE_SOURCE, link_url
from portero.launches.schemas import LaunchCreate
from portero.launches.service import IssuedLaunch
from portero.launches.store import SessionLaunchStore
from portero.partners.schemas import PartnerSnapshot
from portero.partners.service import require_partner
from portero.settings import Settings

# The launch's "player" is the agent, under an id no partner user can collide with by accident.
AGENT_PLAYER_PREFIX = "agent:"


def console_launch(agent: CallAgent, *, expires_in: int | None = None) -> LaunchCreate:
    return LaunchCreate.model_validate(
        {
            "product": "console",
            "player": {"id": AGENT_PLAYER_PREFIX + agent.code, "name": agent.name},
            "params": {"agent_code": agent.code},
            "expires_in": expires_in,
        }
    )


async def issue_console_link(
    session: AsyncSession,
    settings: Settings,
    *,
    partner_id: int,
    agent_code: str,
    expires_in: int | None = None,
) -> tuple[IssuedLaunch, str]:
    """For the CLI (and any caller holding a session): the launch and its URL."""
    partner = PartnerSnapshot.of(await require_partner(session, partner_id))
    agent = await require_agent(session, partner_id=partner_id, code=agent_code)
    issued = await launches.create_launch(
        SessionLaunchStore(session),
        partner=partner,
        request=console_launch(agent, expires_in=expires_in),
        signing_key=settings.signing_key,
        idempotency_window=timedelta(seconds=settings.idempotency_window_seconds),
    )
    return issued, link_url(settings.base_url, NATIVE_SOURCE, issued.token)
