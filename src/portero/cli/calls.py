"""`portero category …` and `portero agent …`: the codes seed 002's calls route by.

`--json` on the list commands prints the objects of the native API (`GET /v1/agents`, …).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import directory as service
from portero.calls.console import issue_console_link
from portero.calls.models import CallAgent, CallCategory
from portero.cli.runner import run_in_transaction, settings_or_exit
from portero.dialects.native.call_schemas import AgentOut, CategoryOut
from portero.kit.clock import iso_utc
from portero.kit.pagination import every_item
from portero.launches.service import IssuedLaunch
from portero.partners.service import require_partner

categories = typer.Typer(
    help="Call categories (seed 002's categoryCode).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
agents = typer.Typer(
    help="Call agents (seed 002's userCode).", no_args_is_help=True, pretty_exceptions_enable=False
)
PartnerOption = Annotated[int, typer.Option("--partner", help="The partner's id")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CategoryOption = Annotated[
    list[str] | None, typer.Option("--category", help="A category code (repeatable)")
]
CapacityOption = Annotated[
    int | None,
    typer.Option("--capacity", min=1, max=service.MAX_AGENT_CAPACITY, help="Customers at once"),
]


@categories.command("add")
def add_category(
    name: str,
    partner: PartnerOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create a category; prints its code."""

    async def work(session: AsyncSession) -> dict[str, object]:
        category = await service.add_category(session, partner_id=partner, name=name)
        return {"code": category.code, "name": category.name, "partner_id": partner}

    created = run_in_transaction(work)
    typer.echo(json.dumps(created) if as_json else f"Category {created['code']} ({name})")


@agents.command("add")
def add_agent(
    name: str,
    partner: PartnerOption,
    category: CategoryOption = None,
    capacity: CapacityOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create an agent serving the given categories; prints its code."""

    async def work(session: AsyncSession) -> dict[str, object]:
        agent, served = await service.add_agent(
            session,
            partner_id=partner,
            name=name,
            category_codes=category or (),
            capacity=capacity or 1,
        )
        return {
            "code": agent.code,
            "name": agent.name,
            "partner_id": partner,
            "categories": [c.code for c in served],
            "capacity": agent.capacity,
        }

    created = run_in_transaction(work)
    typer.echo(json.dumps(created) if as_json else f"Agent {created['code']} ({name})")


ExpiresInOption = Annotated[
    int | None, typer.Option("--expires-in", help="Seconds the link stays valid unopened")
]
OneJsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def print_link(
    issue: Callable[[AsyncSession], Awaitable[tuple[IssuedLaunch, str]]], *, as_json: bool
) -> None:
    """Mint a sign-in link (a console's, a wallboard's) in one transaction and print it: its
    URL, or with `as_json` its launch, URL and expiry."""

    async def work(session: AsyncSession) -> dict[str, object]:
        issued, url = await issue(session)
        expires_at = iso_utc(issued.launch.expires_at)
        return {"launch_id": issued.launch.id, "url": url, "expires_at": expires_at}

    created = run_in_transaction(work)
    typer.echo(json.dumps(created) if as_json else str(created["url"]))


@agents.command("console-link")
def console_link(
    code: str,
    partner: PartnerOption,
    expires_in: ExpiresInOption = None,
    as_json: OneJsonOption = False,
) -> None:
    """Mint a one-time link that signs the agent in to the call console."""
    settings = settings_or_exit()
    print_link(
        lambda session: issue_console_link(
            session, settings, partner_id=partner, agent_code=code, expires_in=expires_in
        ),
        as_json=as_json,
    )


@categories.command("list")
def list_categories(partner: PartnerOption, as_json: JsonOption = False) -> None:
    """Every category of the partner, newest first: code and name."""

    async def work(session: AsyncSession) -> list[CallCategory]:
        await require_partner(session, partner)
        return await every_item(
            lambda after: service.list_categories(
                session, partner_id=partner, limit=100, starting_after=after
            ),
            lambda category: category.code,
        )

    found = [CategoryOut.of(c) for c in run_in_transaction(work)]
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in found], indent=2))
        return
    for category in found:
        typer.echo(f"{category.code}\t{category.name}")


@agents.command("list")
def list_agents(partner: PartnerOption, as_json: JsonOption = False) -> None:
    """Every agent of the partner, newest first: code, presence, capacity, name, categories."""

    async def work(session: AsyncSession) -> list[tuple[CallAgent, list[CallCategory]]]:
        await require_partner(session, partner)
        return await every_item(
            lambda after: service.list_agents(
                session, partner_id=partner, limit=100, starting_after=after
            ),
            lambda row: row[0].code,
        )

    found = [AgentOut.of(agent, served) for agent, served in run_in_transaction(work)]
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in found], indent=2))
        return
    for agent in found:
        served = ",".join(agent.categories) or "-"
        typer.echo(
            f"{agent.code}\t{agent.presence.value}\tcapacity {agent.capacity}\t"
            f"{agent.name}\t{served}"
        )


@agents.command("update")
def update_agent(
    code: str,
    partner: PartnerOption,
    name: Annotated[str | None, typer.Option("--name", help="A new name")] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="A category code (repeatable); replaces the set"),
    ] = None,
    no_categories: Annotated[
        bool, typer.Option("--no-categories", help="Serve no category any more")
    ] = False,
    capacity: CapacityOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change an agent's name, categories or capacity; what is not given stays."""
    if category and no_categories:
        raise typer.BadParameter("give --category or --no-categories, not both")
    codes = [] if no_categories else category

    async def work(session: AsyncSession) -> AgentOut:
        await require_partner(session, partner)
        agent, served = await service.update_agent(
            session,
            partner_id=partner,
            code=code,
            name=name,
            category_codes=codes,
            capacity=capacity,
        )
        return AgentOut.of(agent, served)

    agent = run_in_transaction(work)
    if as_json:
        typer.echo(agent.model_dump_json(indent=2))
        return
    served = ",".join(agent.categories) or "no category"
    typer.echo(f"Agent {agent.code} ({agent.name}): capacity {agent.capacity}, {served}")
