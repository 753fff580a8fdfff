"""`portero wallboard link`: a supervisor's one-time link into the desk's wallboard."""

from __future__ import annotations

from typing import Annotated

import typer

from portero.calls.wallboard import issue_wallboard_link
from portero.cli.calls import ExpiresInOption, OneJsonOption, PartnerOption, print_link
from portero.cli.runner import settings_or_exit

app = typer.Typer(
    help="The call desk's wallboard (supervisors).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command("link")
def wallboard_link(
    supervisor: Annotated[str, typer.Argument(help="The partner's id for the supervisor")],
    partner: PartnerOption,
    name: Annotated[str | None, typer.Option("--name", help="Shown on the wallboard")] = None,
    expires_in: ExpiresInOption = None,
    as_json: OneJsonOption = False,
) -> None:
    """Mint a one-time link that signs the supervisor in to the desk's wallboard."""
    settings = settings_or_exit()
    print_link(
        lambda session: issue_wallboard_link(
            session, settings, partner_id=partner, supervisor=supervisor, name=name,
            expires_in=expires_in,
        ),
        as_json=as_json,
    )  # fmt: skip
