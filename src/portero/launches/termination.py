"""Terminating a player ("kick player"): every live play session of the player ends and every
link not yet opened is revoked, at once, in the caller's transaction.

A round already in flight is not stopped: its settlement never needs a live session (a
seamless round's later steps and the delivery engine work from the round's own rows, and One
Wallet accepts credits and cancels on an expired sid). The pages learn of the end at their
next request (`session_terminated`); the call sockets at their next check of the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.launches import termination_repository
from portero.launches.events import launch_event
from portero.launches.limits import TERMINATED
from portero.players import service as players


@dataclass(frozen=True, slots=True)
class Termination:
    player_id: str
    sessions_ended: int
    launches_revoked: int


async def terminate_player(
    session: AsyncSession, *, partner_id: int, external_id: str
) -> Termination:
    player = await players.require_player(session, partner_id=partner_id, external_id=external_id)
    now = utcnow()
    ended = await termination_repository.end_sessions_of_player(
        session, partner_id=partner_id, player_key=player.id, now=now, reason=TERMINATED
    )
    revoked = await termination_repository.end_launches_of_player(
        session, partner_id=partner_id, player_key=player.id, now=now
    )
    for launch_id in revoked:
        await launch_event(
            session, partner_id=partner_id, launch_id=launch_id, event_type="launch.revoked"
        )
    return Termination(player.external_id, sessions_ended=ended, launches_revoked=len(revoked))
