"""The native API's answer to terminating a player."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from portero.launches.termination import Termination


class PlayerTerminationOut(BaseModel):
    object: Literal["player_termination"] = "player_termination"
    player_id: str
    sessions_ended: int = Field(description="Live play sessions of the player now ended.")
    launches_revoked: int = Field(description="Links of the player not yet opened, revoked.")

    @classmethod
    def of(cls, done: Termination) -> PlayerTerminationOut:
        return cls(
            player_id=done.player_id,
            sessions_ended=done.sessions_ended,
            launches_revoked=done.launches_revoked,
        )
