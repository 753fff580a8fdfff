"""The game catalogue ("SLOT_SPEC") behind `gameid`, with the languages and currencies the
games support. It holds what exists: until slot games ship, the roulette table alone."""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_LANGUAGES = ("en", "es", "ja", "zh", "ko")
SUPPORTED_CURRENCIES = ("EUR", "USD", "GBP", "JPY", "KRW", "CNY")


@dataclass(frozen=True)
class Game:
    gameid: str
    gametype: str  # "slot" | "table"
    name: str
    product: str  # the Portero product a launch of this game opens
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    currencies: tuple[str, ...] = SUPPORTED_CURRENCIES


GAMES: dict[str, Game] = {
    "roulette": Game("roulette", "table", "European Roulette", product="roulette"),
}


def games_of_type(gametype: str) -> list[Game]:
    return [game for game in GAMES.values() if game.gametype == gametype]
