"""The game catalogue ("SLOT_SPEC") behind `gameid`: the slot games (from their data files)
and the roulette table, with the languages and currencies each supports and the figures the
catalogue publishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache

from portero.slots.games import catalogue as slots
from portero.slots.games.spec import LANGUAGES

ROULETTE_CURRENCIES = ("CNY", "EUR", "GBP", "JPY", "KRW", "USD")


@dataclass(frozen=True)
class Game:
    gameid: str
    gametype: str  # "slot" | "table"
    name: str
    product: str  # the Portero product a launch of this game opens
    languages: tuple[str, ...]
    currencies: tuple[str, ...]
    rtp: float
    hit_frequency: float | None  # None: depends on the bet (table games)
    max_win: float  # the largest return of one spin, stake included, in multiples of the stake
    names: dict[str, str] = field(default_factory=dict)


@cache
def games() -> dict[str, Game]:
    found = {
        game.id: Game(
            gameid=game.id,
            gametype="slot",
            name=game.names["en"],
            product="slot",
            languages=LANGUAGES,
            currencies=tuple(sorted(game.credit_values)),
            rtp=game.published.rtp,
            hit_frequency=game.published.hit_frequency,
            max_win=game.published.max_win,
            names=dict(game.names),
        )
        for game in slots.games().values()
    }
    found["roulette"] = Game(
        gameid="roulette",
        gametype="table",
        name="European Roulette",
        product="roulette",
        languages=LANGUAGES,
        currencies=ROULETTE_CURRENCIES,
        rtp=float(Fraction(36, 37)),
        hit_frequency=None,
        max_win=36.0,  # a straight bet: 35 to 1 and the stake back
        names={"en": "European Roulette", "es": "Ruleta europea", "ja": "ヨーロピアンルーレット",
               "zh": "欧洲轮盘", "ko": "유러피언 룰렛"},
    )  # fmt: skip
    return found


def supported_languages() -> tuple[str, ...]:
    return tuple(sorted({lang for game in games().values() for lang in game.languages}))


def supported_currencies() -> tuple[str, ...]:
    return tuple(sorted({c for game in games().values() for c in game.currencies}))


def games_of_type(gametype: str) -> list[Game]:
    return [game for game in games().values() if game.gametype == gametype]
