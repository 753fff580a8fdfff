from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portero.players import repository
from portero.players.errors import PlayerNotFound
from portero.players.models import Player


async def require_player(session: AsyncSession, *, partner_id: int, external_id: str) -> Player:
    """A partner's player by the partner's id for it; never another partner's."""
    player = await repository.get_by_external_id(
        session, partner_id=partner_id, external_id=external_id
    )
    if player is None:
        raise PlayerNotFound(f"No player with id {external_id!r}.")
    return player
