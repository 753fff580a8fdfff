"""Product catalogue of the launch core.

A product names the parameters a launch for it accepts (validated like any other input) and
where the browser goes once the link has been opened. Products with a page of their own replace
`page_path`; until then the generic landing page stands in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from portero.kit.errors import FieldProblem, InvalidField
from portero.kit.validation import Displayable, Printable
from portero.settings import Settings
from portero.slots.games.catalogue import games


class ProductName(enum.StrEnum):
    roulette = "roulette"
    slot = "slot"
    call = "call"
    console = "console"  # an agent's sign-in to the call console (see calls/)
    wallboard = "wallboard"  # a supervisor's sign-in to the desk's wallboard (see calls/)


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RouletteParams(_Params):
    pass


class SlotParams(_Params):
    game_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")

    @field_validator("game_id")
    @classmethod
    def _in_catalogue(cls, value: str) -> str:
        if value not in games():
            raise ValueError(f"no slot game {value!r}; one of {', '.join(sorted(games()))}")
        return value


Code = Annotated[str, StringConstraints(min_length=1, max_length=64), Printable]


MAX_TICKETS = 10  # what one call carries to the agent's console


class CallTicket(_Params):
    # Shown to the agent and the customer: displayed as what they are (kit/text.py).
    title: Annotated[str, StringConstraints(min_length=1, max_length=200), Displayable]
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000), Displayable]


class CallParams(_Params):
    category_code: Code | None = None
    agent_code: Code | None = None
    tickets: list[CallTicket] = Field(default_factory=list, max_length=MAX_TICKETS)

    @model_validator(mode="after")
    def _one_target(self) -> CallParams:
        if self.category_code and self.agent_code:
            raise ValueError("give category_code or agent_code, not both")
        return self


class ConsoleParams(_Params):
    agent_code: Code


class WallboardParams(_Params):
    pass


@dataclass(frozen=True)
class ProductSpec:
    name: ProductName
    params_model: type[_Params]
    # A call link is meant to be shared (by message to the customer's phone): it opens again
    # and again until it expires or its call has ended, and lives a day by default
    # (`call_link_ttl_seconds`). Every other link opens once.
    reusable_link: bool = False
    # The product a partner must be allowed to launch this one (an agent's console belongs to
    # the call product); None: the product itself.
    entitled_by: ProductName | None = None
    # Where links of this product are made when not through the launch endpoints (the console:
    # its own endpoint checks that the agent exists); None: the launch endpoints.
    launched_through: str | None = None
    # A game played in rounds through the round path (rounds/service.py): its launches may
    # carry responsible-gaming limits (launches/limits.py).
    plays_rounds: bool = False
    # The currencies a launch of this product can be played in, given its validated params;
    # None: any currency (the product has no per-currency content).
    currencies_of: Callable[[Mapping[str, Any]], frozenset[str]] | None = None

    @property
    def entitlement(self) -> ProductName:
        """The product a partner's configuration must list to launch this one."""
        return self.entitled_by or self.name

    def default_link_ttl_seconds(self, settings: Settings) -> int | None:
        """How long a link lives unless the request says otherwise; None: the partner's
        setting."""
        return settings.call_link_ttl_seconds if self.reusable_link else None

    def page_path(self, launch_id: str) -> str:
        return f"/play/{launch_id}"

    def validate_params(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        try:
            model = self.params_model.model_validate(dict(raw or {}))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problem: FieldProblem = "invalid"
            if first["type"] == "missing":
                problem = "missing"
            elif first["type"] == "extra_forbidden":
                problem = "unknown"
            param = f"params.{where}" if where else "params"
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InvalidField(param, problem, f"{param}: {message}") from None
        return model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def _slot_currencies(params: Mapping[str, Any]) -> frozenset[str]:
    """A slot game is played in the currencies it has bet levels for."""
    return frozenset(games()[params["game_id"]].credit_values)


PRODUCTS: dict[ProductName, ProductSpec] = {
    ProductName.roulette: ProductSpec(ProductName.roulette, RouletteParams, plays_rounds=True),
    ProductName.slot: ProductSpec(
        ProductName.slot, SlotParams, plays_rounds=True, currencies_of=_slot_currencies
    ),
    ProductName.call: ProductSpec(ProductName.call, CallParams, reusable_link=True),
    ProductName.console: ProductSpec(
        ProductName.console,
        ConsoleParams,
        entitled_by=ProductName.call,
        launched_through="POST /v1/agents/{code}/console-links",
    ),
    ProductName.wallboard: ProductSpec(
        ProductName.wallboard,
        WallboardParams,
        entitled_by=ProductName.call,
        launched_through="POST /v1/wallboard-links",
    ),
}


REUSABLE_LINK_PRODUCTS = tuple(name.value for name, spec in PRODUCTS.items() if spec.reusable_link)


def product_spec(name: str) -> ProductSpec:
    try:
        return PRODUCTS[ProductName(name)]
    except ValueError:
        raise InvalidField(
            "product", "unsupported", f"unknown product {name!r}; one of {', '.join(PRODUCTS)}"
        ) from None
