"""`portero category …` and `portero agent …`: the codes seed 002's calls route by."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import service
from portero.calls.console import issue_console_link
from portero.cli.runner import run_in_transaction, settings_or_exit

categories = typer.Typer(
    help="Call categories (seed 002's categoryCode).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
agents = typer.Typer(
    help="Call agents (seed 002's userCode).", no_args_is_help=True, pretty_exceptions_enable=False
)
PartnerOption = Annotated[int, typer.Option("--partner", help="The partner's id")]


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
    category: Annotated[
        list[str] | None, typer.Option("--category", help="A category code (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create an agent serving the given categories; prints its code."""

    async def work(session: AsyncSession) -> dict[str, object]:
        agent, served = await service.add_agent(
            session, partner_id=partner, name=name, category_codes=category or ()
        )
        return {
            "code": agent.code,
            "name": agent.name,
            "partner_id": partner,
            "categories": [c.code for c in served],
        }

    created = run_in_transaction(work)
    typer.echo(json.dumps(created) if as_json else f"Agent {created['code']} ({name})")


@agents.command("console-link")
def console_link(
    code: str,
    partner: PartnerOption,
    expires_in: Annotated[
        int | None, typer.Option("--expires-in", help="Seconds the link stays valid unopened")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Mint a one-time link that signs the agent in to the call console."""
    settings = settings_or_exit()

    async def work(session: AsyncSession) -> dict[str, object]:
        issued, url = await issue_console_link(
            session, settings, partner_id=partner, agent_code=code, expires_in=expires_in
        )
        expires_at = issued.launch.expires_at.isoformat().replace("+00:00", "Z")
        return {"launch_id": issued.launch.id, "url": url, "expires_at": expires_at}

    created = run_in_transaction(work)
    typer.echo(json.dumps(created) if as_json else str(created["url"]))
