"""`portero slots …`: the catalogue and each game's mathematics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from portero.slots.games import catalogue, maths
from portero.slots.games.spec import GameSpec

app = typer.Typer(help="Slot games: the catalogue and their mathematics.", no_args_is_help=True)


def _shape(game: GameSpec) -> str:
    pays = f"{len(game.lines)} lines" if game.lines else f"{(game.rows) ** game.reels:,} ways"
    return f"{game.reels}x{game.rows}, {pays}, {game.bet_multiplier} credits a spin"


@app.command("list")
def list_games() -> None:
    """Every game with its published figures: RTP, hit frequency, maximum win."""
    for game in catalogue.games().values():
        figures = game.published
        typer.echo(
            f"{game.id:<16} RTP {figures.rtp:8.4%}  hit {figures.hit_frequency:7.2%}  "
            f"max {figures.max_win:g}x  {_shape(game)}  {game.names['en']}"
        )


@app.command("report")
def report(
    game_id: str,
    plot: Annotated[
        Path | None, typer.Option(help="Draw the win distribution into this PNG file")
    ] = None,
) -> None:
    """RTP (base game and free spins), hit frequency, volatility, maximum win and the win
    distribution, computed exactly: by independence of the reels and by enumerating every
    reel-stop combination (with a progress bar), which must agree."""
    if plot is not None and not plot.parent.is_dir():
        typer.secho(f"No directory {plot.parent} for the plot", fg="red", err=True)
        raise typer.Exit(2)
    game = catalogue.game(game_id)
    if game is None:
        typer.secho(
            f"No game {game_id!r}; one of {', '.join(catalogue.games())}", fg="red", err=True
        )
        raise typer.Exit(2)
    exact = maths.exact(game)
    combinations = 1
    for strip in game.strips:
        combinations *= len(strip)
    typer.echo(f"{game.names['en']} ({game.id}): {_shape(game)}")
    with typer.progressbar(
        length=len(game.strips[0]),
        label=f"Enumerating {combinations:,} combinations",
        file=sys.stderr,
    ) as bar:
        enumerated = maths.enumerate_base(game, progress=lambda _done, _total: bar.update(1))
    agreement = abs(exact.rtp - enumerated.rtp)
    rows = [
        ("RTP", f"{enumerated.rtp:.6%}"),
        ("  base game", f"{enumerated.rtp_base:.6%}"),
        ("  free spins", f"{enumerated.rtp_feature:.6%}"),
        ("  by independence", f"{exact.rtp:.10%}"),
        ("  by enumeration", f"{enumerated.rtp:.10%}  (difference {agreement:.1e})"),
        ("Hit frequency", f"{enumerated.hit_frequency:.4%} of base-game spins pay"),
        ("Free spins", _feature_line(enumerated)),
        ("Volatility", f"{enumerated.volatility:.4f} (standard deviation per unit bet)"),
        ("Maximum win", f"{enumerated.max_win:g} x bet (one spin)"),
        ("Published", "matches" if _matches(game, enumerated) else "DIFFERS from the data file"),
    ]
    for name, value in rows:
        typer.echo(f"{name:<20}{value}")
    typer.echo("Win distribution (base game, multiples of the bet):")
    for bucket, probability in enumerated.distribution():
        bar_text = "#" * round(probability * 60)
        typer.echo(f"  {bucket:>8}  {probability:10.6%}  {bar_text}")
    if plot is not None:
        _plot(game, enumerated, plot)
        typer.echo(f"Plot written to {plot}")
    if agreement > 1e-9:
        typer.secho("Exact and enumerated RTP disagree", fg="red", err=True)
        raise typer.Exit(1)


def _feature_line(enumerated: maths.Enumeration) -> str:
    frequency = enumerated.feature_frequency
    if not frequency:
        return "none"
    return f"triggered on {frequency:.4%} of spins (1 in {1 / frequency:,.1f})"


def _matches(game: GameSpec, enumerated: maths.Enumeration) -> bool:
    published = game.published
    return (
        abs(published.rtp - enumerated.rtp) <= 5e-7
        and abs(published.hit_frequency - enumerated.hit_frequency) <= 5e-7
        and abs(published.max_win - enumerated.max_win) <= 5e-3
    )


def _plot(game: GameSpec, enumerated: maths.Enumeration, path: Path) -> None:
    import matplotlib  # slow to import: only this option needs it

    matplotlib.use("Agg")
    from matplotlib import pyplot

    labels, probabilities = zip(*enumerated.distribution(), strict=True)
    figure, axes = pyplot.subplots(figsize=(8, 4.5))
    axes.bar(labels, probabilities, color="#3b6ea5")
    axes.set_yscale("log")
    axes.set_xlabel("win, multiples of the total bet (base game)")
    axes.set_ylabel("probability")
    axes.set_title(
        f"{game.names['en']}: RTP {enumerated.rtp:.4%}, hit {enumerated.hit_frequency:.2%}"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
