"""Bodies and answers of the call product's management endpoints (categories, agents, console
links, call records)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, field_validator

from portero.calls.directory import MAX_AGENT_CAPACITY
from portero.calls.models import CallAgent, CallCategory, Presence
from portero.calls.schemas import CallMessageOut, CallOut

__all__ = ["CallOut"]
from portero.dialects.native.schemas import ListPage
from portero.kit.validation import Displayable, Printable
from portero.launches.schemas import MAX_LINK_SECONDS, MIN_LINK_SECONDS

# Category and agent names are shown to customers and agents (kit/text.py).
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Displayable
]
CodeIn = Annotated[str, StringConstraints(min_length=1, max_length=64), Printable]
Codes = Annotated[list[CodeIn], Field(max_length=50)]
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_AGENT_CAPACITY)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Body):
    """A field left out keeps its value; null is refused rather than read as "left out"."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class CategoryCreate(_Body):
    name: Name


class CategoryUpdate(_Patch):
    name: Name | None = None


class AgentCreate(_Body):
    name: Name
    categories: Codes = Field(
        default_factory=list, description="Codes of the categories the agent serves."
    )
    capacity: Capacity = Field(default=1, description="Customers the agent talks to at once.")


class AgentUpdate(_Patch):
    name: Name | None = None
    categories: Codes | None = Field(
        default=None, description="Replaces the agent's categories as a whole."
    )
    capacity: Capacity | None = None


class ConsoleLinkCreate(_Body):
    expires_in: StrictInt | None = Field(
        default=None,
        ge=MIN_LINK_SECONDS,
        le=MAX_LINK_SECONDS,
        description="Seconds until the link expires unopened; default: the partner's setting.",
    )


# Read with `read_json`: install_openapi publishes their schemas.
BODY_MODELS: tuple[type[BaseModel], ...] = (
    CategoryCreate,
    CategoryUpdate,
    AgentCreate,
    AgentUpdate,
    ConsoleLinkCreate,
)


class CategoryOut(BaseModel):
    object: Literal["call_category"] = "call_category"
    code: str = Field(description="The code call links route by (`category_code`).")
    name: str
    created_at: datetime

    @classmethod
    def of(cls, category: CallCategory) -> CategoryOut:
        return cls(code=category.code, name=category.name, created_at=category.created_at)


class CategoryList(ListPage[CategoryOut]):
    url: str = "/v1/call-categories"


class AgentOut(BaseModel):
    object: Literal["agent"] = "agent"
    code: str = Field(description="The code call links route by (`agent_code`).")
    name: str
    categories: list[str] = Field(description="Codes of the categories the agent serves.")
    capacity: int
    presence: Presence = Field(description="As last set on the agent's console.")
    created_at: datetime

    @classmethod
    def of(cls, agent: CallAgent, categories: list[CallCategory]) -> AgentOut:
        return cls(
            code=agent.code,
            name=agent.name,
            categories=[c.code for c in categories],
            capacity=agent.capacity,
            presence=Presence(agent.presence),
            created_at=agent.created_at,
        )


class AgentList(ListPage[AgentOut]):
    url: str = "/v1/agents"


class ConsoleLinkOut(BaseModel):
    object: Literal["console_link"] = "console_link"
    launch_id: str
    agent: str = Field(description="The agent's code.")
    url: str = Field(description="One-time link into the agent's call console.")
    expires_at: datetime


class CallList(ListPage[CallOut]):
    url: str = "/v1/calls"


class CallTranscript(ListPage[CallMessageOut]):
    """A call's chat in the order it was said, oldest first (unlike every other list)."""

    url: str = Field(description="`/v1/calls/{id}/transcript`.")
