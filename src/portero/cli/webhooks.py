"""`portero webhook …`: an operator's view of the partners' webhook endpoints (docs/operators.md):
add one for a partner (its secret printed once), list them, remove one."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli.runner import run_in_transaction, settings_or_exit
from portero.dialects.native.webhook_schemas import WebhookEndpointCreate, WebhookEndpointOut
from portero.kit.pagination import every_item
from portero.partners import service as partners
from portero.webhooks import endpoints

app = typer.Typer(
    help="Partners' webhook endpoints (Standard Webhooks).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where the events are POSTed")],
    partner: Annotated[int, typer.Option("--partner", help="The partner's id")],
    event: Annotated[
        list[str] | None,
        typer.Option("--event", help="An event type to send (repeat it); all when left out"),
    ] = None,
    as_json: Json = False,
) -> None:
    """A new endpoint for the partner; its secret (`whsec_…`) is printed now and never again."""
    try:
        body = WebhookEndpointCreate(url=url, enabled_events=event or ["*"])
    except ValidationError as error:
        typer.secho(error.errors()[0]["msg"], fg="red", err=True)
        raise typer.Exit(2) from None
    settings = settings_or_exit()

    async def work(session: AsyncSession) -> WebhookEndpointOut:
        await partners.require_partner(session, partner)
        made, secret = await endpoints.create(
            session,
            settings,
            partner_id=partner,
            url=body.url,
            enabled_events=body.enabled_events,
        )
        return WebhookEndpointOut.of(made, secret=secret)

    made = run_in_transaction(work)
    if as_json:
        typer.echo(made.model_dump_json(indent=2))
        return
    typer.echo(f"Endpoint {made.id} for partner {partner}: {made.url}")
    typer.echo(f"Events: {', '.join(made.enabled_events)}")
    typer.echo(f"Secret (shown once, keep it now): {made.secret}")


@app.command("list")
def list_endpoints(
    partner: Annotated[
        int | None, typer.Option("--partner", help="Only this partner's (default: all)")
    ] = None,
    as_json: Json = False,
) -> None:
    """The endpoints, newest first, with their status."""

    async def work(session: AsyncSession) -> list[tuple[int, WebhookEndpointOut]]:
        found = await every_item(
            lambda after: endpoints.listed(session, partner, limit=100, after=after),
            lambda endpoint: endpoint.id,
        )
        return [(e.partner_id, WebhookEndpointOut.of(e)) for e in found]

    found = run_in_transaction(work)
    if as_json:
        rows = [out.model_dump(mode="json") | {"partner_id": pid} for pid, out in found]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not found:
        typer.echo("No webhook endpoints.")
    for partner_id, out in found:
        state = out.status.value + (f" ({out.disabled_reason})" if out.disabled_reason else "")
        events = ",".join(out.enabled_events)
        typer.echo(f"{out.id}  partner {partner_id}  {state}  {events}  {out.url}")


@app.command("remove")
def remove(
    endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id (whe_…)")],
    partner: Annotated[int, typer.Option("--partner", help="The partner's id")],
) -> None:
    """Delete an endpoint, its pending deliveries and its delivery log."""

    async def work(session: AsyncSession) -> None:
        await endpoints.remove(session, partner_id=partner, endpoint_id=endpoint_id)

    run_in_transaction(work)
    typer.echo(f"Endpoint {endpoint_id} removed.")
