from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portero.kit.validation import Cellphone, Currency, Displayable, Email, Language, Printable
from portero.players.models import Player

# Ids are kept exactly as sent (a partner looks its users up by them); names are trimmed, and
# shown to agents and players, so they must display as what they are (kit/text.py).
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=128), Printable]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Displayable
]
Nickname = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Displayable
]


class PlayerDetails(BaseModel):
    """A partner's description of its user. Fields left out keep what Portero already has."""

    model_config = ConfigDict(extra="forbid")

    id: ExternalId = Field(description="The partner's own, stable id for this user.")
    name: Name | None = None
    nickname: Nickname | None = None
    email: Email | None = None
    cellphone: Cellphone | None = Field(default=None, description="International, e.g. +34600…")
    language: Language | None = Field(default=None, description="ISO 639-1, e.g. `es`")
    currency: Currency | None = Field(default=None, description="ISO 4217, e.g. `EUR`")


class PlayerOut(BaseModel):
    object: Literal["player"] = "player"
    id: str = Field(description="The partner's id for this user.")
    name: str | None
    nickname: str | None
    email: str | None
    cellphone: str | None
    language: str | None
    currency: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, player: Player) -> PlayerOut:
        return cls(
            id=player.external_id,
            name=player.name,
            nickname=player.nickname,
            email=player.email,
            cellphone=player.cellphone,
            language=player.language,
            currency=player.currency,
            created_at=player.created_at,
            updated_at=player.updated_at,
        )
