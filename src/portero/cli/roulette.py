"""`portero roulette verify`: recompute a round's number from its seeds, offline."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from portero.roulette import fairness
from portero.roulette.wheel import color

app = typer.Typer(help="The roulette table.", no_args_is_help=True)

_HEX_SEED = re.compile(r"^[0-9a-f]{64}$")


@app.command("verify")
def verify(
    server_seed: Annotated[str, typer.Option(help="The revealed server seed (64 hex digits)")],
    client_seed: Annotated[str, typer.Option(help="The round's client seed")],
    nonce: Annotated[int, typer.Option(min=0, help="The round's nonce")],
    commitment: Annotated[
        str | None, typer.Option(help="The SHA-256 shown before the round, to check the seed")
    ] = None,
) -> None:
    """Print the number these seeds give. With --commitment, first check that the revealed
    seed is the one committed to before the round (exit 1 if it is not)."""
    seed = server_seed.strip().lower()
    if not _HEX_SEED.match(seed):
        raise typer.BadParameter("64 hexadecimal digits", param_hint="--server-seed")
    if commitment is not None:
        expected = commitment.strip().lower()
        actual = fairness.commitment(seed)
        if actual != expected:
            typer.secho(
                f"MISMATCH: SHA-256 of the server seed is {actual}, not {expected}",
                fg="red",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo(f"commitment ok: SHA-256(server seed) = {actual}")
    number = fairness.draw(seed, client_seed, nonce)
    typer.echo(f"number: {number} ({color(number)})")
