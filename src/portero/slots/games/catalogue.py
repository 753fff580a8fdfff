"""The games: one JSON file per game in this folder, validated when first needed (start-up)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import ValidationError

from portero.slots.games import maths
from portero.slots.games.spec import LANGUAGES, GameSpec

GAMES_DIR = Path(__file__).parent
# What the catalogue accepts to publish (and the tests check against the exact computation).
RTP_RANGE = (0.94, 0.97)
RTP_TOLERANCE = 5e-7  # published figures are rounded to six decimals


class GameDataError(RuntimeError):
    """A game file is invalid: the service refuses to start rather than pay wrongly."""


@cache
def games() -> dict[str, GameSpec]:
    found: dict[str, GameSpec] = {}
    for path in sorted(GAMES_DIR.glob("*.json")):
        try:
            game = GameSpec.model_validate_json(path.read_bytes())
        except ValidationError as error:
            raise GameDataError(f"{path.name}: {error}") from None
        if game.id != path.stem:
            raise GameDataError(f"{path.name}: id {game.id!r} differs from the file name")
        if not RTP_RANGE[0] <= game.published.rtp <= RTP_RANGE[1]:
            raise GameDataError(f"{path.name}: published RTP outside {RTP_RANGE}")
        try:  # the exact RTP by independence: a fraction of a second per game
            computed = maths.exact(game).rtp
        except ValueError as error:  # a feature that never ends
            raise GameDataError(f"{path.name}: {error}") from None
        if abs(computed - game.published.rtp) > RTP_TOLERANCE:
            raise GameDataError(
                f"{path.name}: published RTP {game.published.rtp} but the game computes "
                f"{computed:.6f} (run `portero slots report {game.id}`)"
            )
        found[game.id] = game
    if not found:
        raise GameDataError(f"no game files in {GAMES_DIR}")
    return found


def game(game_id: str) -> GameSpec | None:
    return games().get(game_id)


def languages() -> tuple[str, ...]:
    return LANGUAGES


def currencies() -> tuple[str, ...]:
    """Currencies every game offers bet levels in."""
    sets = [set(g.credit_values) for g in games().values()]
    return tuple(sorted(set.intersection(*sets)))
