"""Bodies of the call desk's hours and callbacks in the native API v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from portero.calls.callback_schemas import CallbackOut
from portero.calls.hours import OpeningHours
from portero.dialects.native.schemas import ListPage
from portero.kit.validation import Displayable, Language, Printable
from portero.launches.schemas import MAX_LINK_SECONDS, MIN_LINK_SECONDS


class CallbackList(ListPage[CallbackOut]):
    url: str = "/v1/callbacks"


class CallbackUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done"] = Field(description="`done`: the customer has been called back.")


class OpeningHoursOut(OpeningHours):
    """The hours as set (the body of `PUT …/hours` is `OpeningHours`)."""

    model_config = ConfigDict(title="OpeningHoursOut")


class HoursOut(BaseModel):
    object: Literal["call_hours"] = "call_hours"
    category: str | None = Field(description="The category's code; null: the partner's default.")
    hours: OpeningHoursOut | None = Field(
        description="null: always open (or, for a category, the partner's default)."
    )

    @classmethod
    def of(cls, category: str | None, hours: OpeningHours | None) -> HoursOut:
        shown = None if hours is None else OpeningHoursOut.model_validate(hours.model_dump())
        return cls(category=category, hours=shown)


class WallboardLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supervisor: Annotated[str, StringConstraints(min_length=1, max_length=64), Printable] = Field(
        description="The partner's id for the supervisor (the launch's player: `supervisor:<id>`)."
    )
    name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Displayable
        ]
        | None
    ) = Field(default=None, description="Shown on the wallboard; at most 100 characters.")
    language: Language | None = Field(
        default=None, description="Of the page (en, es, ja, zh, ko); default: the partner's."
    )
    expires_in: StrictInt | None = Field(
        default=None,
        ge=MIN_LINK_SECONDS,
        le=MAX_LINK_SECONDS,
        description="Seconds until the link expires unopened; default: the partner's setting.",
    )


class WallboardLinkOut(BaseModel):
    object: Literal["wallboard_link"] = "wallboard_link"
    launch_id: str
    supervisor: str
    url: str = Field(description="One-time link into the desk's wallboard.")
    expires_at: datetime


BODY_MODELS = (CallbackUpdate, OpeningHours, WallboardLinkCreate)
