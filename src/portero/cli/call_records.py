"""`portero calls list`: the partner's call records, as `GET /v1/calls` answers them."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls import records
from portero.calls.models import CallStatus
from portero.cli.runner import run_in_transaction
from portero.dialects.native.call_schemas import CallOut
from portero.kit.clock import iso_utc
from portero.partners.service import require_partner

app = typer.Typer(help="Call records.", no_args_is_help=True, pretty_exceptions_enable=False)


@app.command("list")
def list_calls(
    partner: Annotated[int, typer.Option("--partner", help="The partner's id")],
    status: Annotated[
        CallStatus | None, typer.Option("--status", help="Only calls in this state")
    ] = None,
    agent: Annotated[
        str | None, typer.Option("--agent", help="Only calls for or answered by this agent code")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="How many")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The partner's latest calls, newest first."""

    async def work(session: AsyncSession) -> list[CallOut]:
        await require_partner(session, partner)
        page = await records.list_calls(
            session, partner_id=partner, limit=limit, agent=agent, status=status
        )
        return [CallOut.of(call) for call in page.items]

    calls = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in calls], indent=2))
        return
    if not calls:
        typer.echo("No calls yet." if status is None and agent is None else "No such calls.")
    for call in calls:
        agent_name = call.agent.name if call.agent else "-"
        customer = call.customer.name or call.customer.id
        duration = f"{call.duration_seconds}s" if call.duration_seconds is not None else "-"
        created = iso_utc(call.created_at)
        typer.echo(
            f"{call.id}\t{call.status.value}\t{created}\t{customer}\t{agent_name}\t{duration}"
        )
