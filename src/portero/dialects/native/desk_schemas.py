"""Bodies of the call desk's hours and callbacks in the native API v1."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from portero.calls.callback_schemas import CallbackOut
from portero.calls.hours import OpeningHours
from portero.dialects.native.schemas import ListPage


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


BODY_MODELS = (CallbackUpdate, OpeningHours)
