from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from portero.kit.validation import HttpUrl, Printable
from portero.launches.limits import ResponsibleGaming
from portero.players.schemas import PlayerDetails
from portero.products.registry import ProductName, product_spec

PartnerSessionId = Annotated[str, StringConstraints(min_length=1, max_length=128), Printable]
MIN_LINK_SECONDS = 10
MAX_LINK_SECONDS = 7 * 24 * 3600


class LaunchCreate(BaseModel):
    """One partner request to send one player into one product."""

    model_config = ConfigDict(extra="forbid")

    product: ProductName = Field(description="`roulette`, `slot` or `call`.")
    player: PlayerDetails
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Product parameters: `slot` needs `game_id`; `call` takes `category_code` "
        "or `agent_code` and `tickets`; `roulette` takes none.",
    )
    expires_in: StrictInt | None = Field(
        default=None,
        ge=MIN_LINK_SECONDS,
        le=MAX_LINK_SECONDS,
        description="Seconds until the link expires unopened; default: the partner's setting.",
    )
    return_url: HttpUrl | None = Field(
        default=None,
        description="Where the product sends the player back; default: the partner's lobby URL.",
    )
    partner_session_id: PartnerSessionId | None = Field(
        default=None,
        description="Your own session id for the player: a seamless wallet receives it as "
        "`sid` (docs/wallets.md).",
    )
    responsible_gaming: ResponsibleGaming | None = Field(
        default=None,
        description="The player's limits for this game session (`roulette` and `slot` only).",
    )

    @field_validator("responsible_gaming")
    @classmethod
    def _games_only(
        cls, value: ResponsibleGaming | None, info: ValidationInfo
    ) -> ResponsibleGaming | None:
        product = info.data.get("product")
        if value is not None and product is not None and not product_spec(product).plays_rounds:
            raise ValueError(f"limits apply to the games (roulette, slot), not to {product} links")
        return value
