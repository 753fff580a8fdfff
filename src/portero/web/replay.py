"""The replay page of a round (`GET /replay/{token}`, the link of rounds/replay.py): what was
played and how it was settled, read-only, for whoever holds the link (a support agent in a
dispute, a regulator), with no partner token and no script.

The page is drawn on the server from the round as kept: a roulette round's layout with its
chips, the winning number and the provably fair check done again here; a slot round's reels
as they stopped, with what won, then every free spin the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from portero.http.deps import RuntimeDep, SessionDep
from portero.kit.clock import utcnow
from portero.partners import repository as partners
from portero.roulette import fairness
from portero.roulette.bets import BetType, covered_numbers
from portero.roulette.wheel import color
from portero.rounds import listing
from portero.rounds import repository as rounds
from portero.rounds.listing import RoundView
from portero.rounds.replay import round_of_token
from portero.settings import Settings
from portero.slots.games import catalogue
from portero.slots.games.spec import GameSpec
from portero.wallet.currency import to_major
from portero.web.i18n import pick_language, texts
from portero.web.rendering import page

router = APIRouter(include_in_schema=False)

# Each language named in itself, for the page's language links.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "ja": "日本語", "zh": "中文", "ko": "한국어"}
EVEN_MONEY = ("low", "even", "red", "black", "odd", "high")
INSIDE = frozenset({"straight", "split", "street", "corner", "six_line"})
LETTER = re.compile(r"^[A-Z0-9]+$")  # a card rank, drawn as a letter (as slot.js does)
NO_INDEX = {"X-Robots-Tag": "noindex, nofollow"}


@router.get("/replay/{token}")
async def replay(
    token: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang, request.headers.get("accept-language"))
    found = await find_round(session, runtime.settings, token)
    if found is None:
        # Forged, revoked (another replay key), purged or past retention: all look alike.
        response = page(
            request,
            "link_error.html",
            language=language,
            status_code=404,
            key="replay.missing",
            status="replay_not_found",
        )
    else:
        view, frame_ancestors = found
        response = page(
            request,
            "replay.html",
            language=language,
            frame_ancestors=frame_ancestors,
            replay=present(view, language),
            languages=LANGUAGE_NAMES,
            money=money,
            utc=utc,
        )
    response.headers.update(NO_INDEX)
    return response


async def find_round(
    session: AsyncSession, settings: Settings, token: str
) -> tuple[RoundView, tuple[str, ...]] | None:
    """The round a replay token names, if Portero signed it and still keeps the round, with
    the origins its partner lets frame Portero's pages."""
    round_id = round_of_token(settings, token)
    if round_id is None:
        return None
    # Across partners (rounds.repository.get): the id comes from a token only Portero can
    # sign, an unguessable MAC of it, as a launch link's id does.
    played = await rounds.get(session, round_id)
    kept_since = utcnow() - timedelta(days=settings.round_retention_days)
    if played is None or played.created_at < kept_since:
        return None
    view = await listing.view_of(session, played)
    partner = await partners.get(session, played.partner_id)
    return view, tuple(partner.frame_ancestors or ()) if partner else ()


# --- Money and texts ------------------------------------------------------------------------


def money(minor: int, currency: str, *, signed: bool = False) -> str:
    """1250 EUR → '12.50 EUR', in the currency's minor units (the same in every language)."""
    sign = (
        ("+" if minor > 0 else "\N{MINUS SIGN}" if minor < 0 else "")
        if signed
        else "-" * (minor < 0)
    )
    return f"{sign}{to_major(abs(minor), currency):,} {currency}"


def chip(minor: int, currency: str) -> str:
    """A chip's face: the amount in major units, short (5, 2.5, 1.2K)."""
    major = to_major(minor, currency)
    if major >= 1000:
        return f"{(major / 1000).quantize(Decimal('0.1')).normalize():f}K"
    return f"{major.normalize():f}"


def say(t: Mapping[str, str], key: str, **values: object) -> str:
    text = t[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else None


# --- The page -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replay:
    view: RoundView
    game: str  # its name in the page's language
    roulette: RouletteReplay | None = None
    slot: SlotReplay | None = None  # None too when nothing was drawn (a debit refused)

    @property
    def net(self) -> int:
        """What the player won or lost, in minor units."""
        return (self.view.round.payout or 0) - self.view.round.stake


def present(view: RoundView, language: str) -> Replay:
    t = texts(language)
    played, outcome = view.round, view.round.outcome
    if played.product != "slot":
        drawn = roulette(outcome, played.currency, t) if outcome else None
        return Replay(view, t["product.roulette"], roulette=drawn)
    game = catalogue.game(played.game_id)
    name = game.names.get(language, game.names["en"]) if game else played.game_id
    return Replay(view, name, slot=slot(outcome, played.currency, game, t) if outcome else None)


# --- Roulette -------------------------------------------------------------------------------


@dataclass(slots=True)
class Spot:
    """One box of the betting layout, with the chip of the bet placed on it."""

    key: str  # as spot_of() names it
    label: str
    name: str
    classes: list[str]
    chip: str | None = None
    won: bool = False


@dataclass(frozen=True, slots=True)
class RouletteReplay:
    number: int
    color: str
    # zero, numbers (3, 2, 1, 6, 5, 4…: the order replay.css lays out both ways), columns
    # (the "2 to 1" boxes of columns 3, 2, 1), dozens, even_money
    board: dict[str, list[Spot]]
    bets: list[tuple[str, str, str, bool]]  # (name, amount, return, won)
    fairness: dict[str, Any]
    verified: bool
    verdict: str


def bet_name(bet: Mapping[str, Any], t: Mapping[str, str]) -> str:
    kind = bet["type"]
    if kind in ("dozen", "column"):
        return say(t, f"replay.bet.{kind}", n=bet["target"])
    if kind in INSIDE:
        return t[f"replay.bet.{kind}"] + " " + "-".join(str(n) for n in bet["numbers"])
    return t[f"replay.bet.{kind}"]


def spot_of(bet: Mapping[str, Any]) -> str | None:
    """The box a bet's chip sits on; None for combinations of numbers (split…)."""
    kind = bet["type"]
    if kind == "straight":
        return f"straight:{bet['numbers'][0]}"
    if kind in ("dozen", "column"):
        return f"{kind}:{bet['target']}"
    return kind if kind in EVEN_MONEY else None


def board(number: int, t: Mapping[str, str]) -> dict[str, list[Spot]]:
    """The layout, the winning number marked and the outside boxes it falls in lit."""

    def straight(n: int) -> Spot:
        return Spot(f"straight:{n}", str(n), str(n), [color(n), *["winner"] * (n == number)])

    def box(kind: str, target: int | None = None, label: str | None = None) -> Spot:
        name = bet_name({"type": kind, "target": target}, t)
        key = kind if target is None else f"{kind}:{target}"
        hit = number in covered_numbers(BetType(kind), target=target)
        return Spot(key, label or name, name, ["outside", kind, *["hit"] * hit])

    return {
        "zero": [straight(0)],
        "numbers": [
            straight(n) for row in range(12) for n in (3 * row + 3, 3 * row + 2, 3 * row + 1)
        ],
        "columns": [box("column", c, "2:1") for c in (3, 2, 1)],
        "dozens": [box("dozen", d) for d in (1, 2, 3)],
        "even_money": [box(kind) for kind in EVEN_MONEY],
    }


def roulette(outcome: Mapping[str, Any], currency: str, t: Mapping[str, str]) -> RouletteReplay:
    number: int = outcome["number"]
    layout = board(number, t)
    spots = {spot.key: spot for boxes in layout.values() for spot in boxes}
    bets: list[tuple[str, str, str, bool]] = []
    for bet in outcome["bets"]:
        won = bet["returned"] > 0
        key = spot_of(bet)
        if key is not None:
            spots[key].chip, spots[key].won = chip(bet["amount"], currency), won
        else:  # a combination: every number it covers is outlined
            for n in bet["numbers"]:
                spots[f"straight:{n}"].classes.append("covered")
        amounts = money(bet["amount"], currency), money(bet["returned"], currency)
        bets.append((bet_name(bet, t), *amounts, won))
    fair = outcome["fairness"]
    verified, verdict = check_fairness(fair, number, t)
    return RouletteReplay(number, color(number), layout, bets, fair, verified, verdict)


def check_fairness(fair: Mapping[str, Any], number: int, t: Mapping[str, str]) -> tuple[bool, str]:
    """The check a player can run (docs/products/roulette.md), done again here: the revealed
    server seed is the one committed to, and the seeds give the number shown."""
    try:
        committed = fairness.commitment(fair["server_seed"]) == fair["server_seed_hash"]
        drawn = fairness.draw(fair["server_seed"], fair["client_seed"], int(fair["nonce"]))
    except (KeyError, TypeError, ValueError):
        return False, t["replay.commitment_mismatch"]
    if not committed:
        return False, t["replay.commitment_mismatch"]
    if drawn != number:
        return False, say(t, "replay.draw_mismatch", number=drawn)
    return True, say(t, "replay.verified", number=number)


# --- Slots ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    code: str
    glyph: str
    classes: list[str]


@dataclass(frozen=True, slots=True)
class ReelSpin:
    title: str
    reels: list[list[Cell]]  # reels[reel][row], as the window is kept
    description: str  # the window, row by row, for screen readers
    view_box: str  # of the paylines: 100 a cell
    lines: list[tuple[str, str]]  # (SVG points, stroke colour) of each winning payline
    wins: list[str]
    total: str
    awarded: str | None
    free: bool


@dataclass(frozen=True, slots=True)
class SlotReplay:
    base: ReelSpin
    free_spins: list[ReelSpin]


@dataclass(frozen=True, slots=True)
class Symbols:
    """How the round's game shows its symbols, as the slot page does (a game no longer in the
    catalogue shows their codes)."""

    glyphs: dict[str, str]
    special: frozenset[str]  # the wild and the scatter
    lines: list[list[int]]

    @classmethod
    def of(cls, game: GameSpec | None) -> Symbols:
        if game is None:
            return cls({}, frozenset(), [])
        special = {game.wild, game.scatter.symbol if game.scatter else None} - {None}
        glyphs = {symbol.code: symbol.glyph for symbol in game.symbols}
        return cls(glyphs, frozenset(str(code) for code in special), game.lines or [])

    def glyph(self, code: str) -> str:
        return self.glyphs.get(code, code)

    def cell(self, code: str, hit: str | None) -> Cell:
        classes = ["letter"] * bool(LETTER.match(self.glyph(code)))
        classes += ["special"] * (code in self.special)
        if hit is not None:
            classes.append("scatter-hit" if hit == "scatter" else "hit")
        return Cell(code, self.glyph(code), classes)


def slot(
    outcome: Mapping[str, Any], currency: str, game: GameSpec | None, t: Mapping[str, str]
) -> SlotReplay:
    symbols = Symbols.of(game)
    free = outcome["free_spins"]
    titles = [
        say(t, "replay.free_spin", k=k, n=len(free), m=s["multiplier"])
        for k, s in enumerate(free, 1)
    ]
    return SlotReplay(
        reel_spin(outcome["base"], t["replay.base_game"], symbols, currency, t),
        [
            reel_spin(s, title, symbols, currency, t, free=True)
            for s, title in zip(free, titles, strict=True)
        ],
    )


def reel_spin(
    spin: Mapping[str, Any],
    title: str,
    symbols: Symbols,
    currency: str,
    t: Mapping[str, str],
    *,
    free: bool = False,
) -> ReelSpin:
    hits = {(reel, row): win["kind"] for win in spin["wins"] for reel, row in win["positions"]}
    reels = [
        [symbols.cell(code, hits.get((r, row))) for row, code in enumerate(column)]
        for r, column in enumerate(spin["window"])
    ]
    rows = len(reels[0]) if reels else 0
    shown = " / ".join(" ".join(reel[row].glyph for reel in reels) for row in range(rows))
    lines = [
        payline(symbols.lines[win["line"]], win["line"])
        for win in spin["wins"]
        if win["kind"] == "line" and win["line"] is not None and win["line"] < len(symbols.lines)
    ]
    awarded = spin["free_spins_awarded"]
    return ReelSpin(
        title=title,
        reels=reels,
        description=say(t, "replay.window", rows=shown),
        view_box=f"0 0 {len(reels) * 100} {rows * 100}",
        lines=lines,
        wins=[win_text(win, symbols, currency, t) for win in spin["wins"]],
        total=say(t, "replay.spin_total", amount=money(spin["amount"], currency)),
        awarded=say(t, "replay.free_spins_awarded", n=awarded) if awarded else None,
        free=free,
    )


def payline(rows: list[int], index: int) -> tuple[str, str]:
    """Drawn from edge to edge through each reel's cell, in its colour, as the slot page does."""
    points = [f"{reel * 100 + 50},{row * 100 + 50}" for reel, row in enumerate(rows)]
    points = [f"4,{rows[0] * 100 + 50}", *points, f"{len(rows) * 100 - 4},{rows[-1] * 100 + 50}"]
    return " ".join(points), f"hsl({index * 67 % 360} 90% 62%)"


def win_text(win: Mapping[str, Any], symbols: Symbols, currency: str, t: Mapping[str, str]) -> str:
    kind = "way" if win["kind"] == "ways" and win["ways"] == 1 else win["kind"]  # not "1 ways"
    return say(
        t,
        f"replay.{kind}_win",
        line="" if win["line"] is None else win["line"] + 1,
        count=win["count"],
        glyph=symbols.glyph(win["symbol"]),
        ways="" if win["ways"] is None else f"{win['ways']:,}",
        amount=money(win["amount"], currency),
    )
