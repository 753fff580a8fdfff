"""A supervisor's wallboard link: a one-time launch of the `wallboard` product, minted by the
partner as it mints an agent's console link (Portero keeps no supervisor passwords). The page
shows the desk's figures (calls/desk_stats.py), pushed over its socket (calls/ws/wallboard.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.launches import service as launches
from portero.launches.links import NATIVE_SOURCE, link_url
from portero.launches.schemas import LaunchCreate
from portero.launches.service import IssuedLaunch
from portero.launches.store import SessionLaunchStore
from portero.partners.schemas import PartnerSnapshot
from portero.partners.service import require_partner
from portero.settings import Settings

# The launch's "player" is the supervisor, under an id no partner user collides with by accident.
SUPERVISOR_PLAYER_PREFIX = "supervisor:"


def wallboard_launch(
    supervisor: str,
    name: str | None,
    *,
    language: str | None = None,
    expires_in: int | None = None,
) -> LaunchCreate:
    player: dict[str, str] = {"id": SUPERVISOR_PLAYER_PREFIX + supervisor}
    if name:  # the page shows the nickname (or else the id)
        player["name"] = player["nickname"] = name
    if language:
        player["language"] = language
    return LaunchCreate.model_validate(
        {"product": "wallboard", "player": player, "expires_in": expires_in}
    )


async def issue_wallboard_link(
    session: AsyncSession,
    settings: Settings,
    *,
    partner_id: int,
    supervisor: str,
    name: str | None = None,
    expires_in: int | None = None,
) -> tuple[IssuedLaunch, str]:
    """For the CLI (and any caller holding a session): the launch and its URL."""
    partner = PartnerSnapshot.of(await require_partner(session, partner_id))
    issued = await launches.create_launch(
        SessionLaunchStore(session),
        partner=partner,
        request=wallboard_launch(supervisor, name, expires_in=expires_in),
        signing_key=settings.signing_key,
        idempotency_window=timedelta(seconds=settings.idempotency_window_seconds),
    )
    return issued, link_url(settings.base_url, NATIVE_SOURCE, issued.token)
