from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from portero.players import repository
from portero.players.errors import PlayerNotFound
from portero.players.models import Player

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def require_player(session: AsyncSession, *, partner_id: int, external_id: str) -> Player:
    """A partner's player by the partner's id for it; never another partner's."""
    player = None
    if 0 < len(external_id) <= 128 and not _CONTROL.search(external_id):
        player = await repository.get_by_external_id(
            session, partner_id=partner_id, external_id=external_id
        )
    if player is None:
        raise PlayerNotFound("No such player for this partner.", param="player_id")
    return player
