"""The daily report: a partner's rounds of one UTC day, per game and currency, in minor units.

A round belongs to the day it was created in (`created_at` in [day 00:00Z, next day 00:00Z)),
whatever became of it later. Settled rounds make the money (stakes, payouts, GGR = stakes -
payouts, their distinct players); cancelled rounds are counted apart; rounds still open or
failed (waiting for an operator) are counted in `open`, so that no round of the day is
silently left out. Currencies are never added together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.errors import InvalidField
from portero.partners import service as partners
from portero.partners.models import Partner
from portero.rounds import repository
from portero.rounds.models import RoundStatus
from portero.rounds.repository import RoundFilter

MAX_SERIES_DAYS = 366
LAST_DAY = date.max - timedelta(days=1)  # its next day still has a midnight


@dataclass(slots=True)
class Figures:
    """What a set of rounds adds up to; amounts in the currency's minor units."""

    rounds: int = 0  # settled rounds
    players: int = 0  # distinct players of the settled rounds
    stakes: int = 0
    payouts: int = 0
    cancelled: int = 0
    failed_wallet_calls: int = 0
    open: int = 0  # still open, or failed and waiting for an operator

    @property
    def ggr(self) -> int:
        return self.stakes - self.payouts

    def add(self, other: Figures) -> None:
        """Everything but the players, who are counted distinct by the caller."""
        self.rounds += other.rounds
        self.stakes += other.stakes
        self.payouts += other.payouts
        self.cancelled += other.cancelled
        self.failed_wallet_calls += other.failed_wallet_calls
        self.open += other.open


@dataclass(frozen=True, slots=True)
class GameLine:
    game_id: str
    currency: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class DailyReport:
    partner_id: int
    day: date
    rows: list[GameLine] = field(default_factory=list)  # by game, then currency
    totals: list[CurrencyTotal] = field(default_factory=list)  # by currency


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC day as [00:00Z, next day 00:00Z)."""
    if day > LAST_DAY:
        raise InvalidField("date", "invalid", f"date: {day.isoformat()} is out of range")
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


async def daily_report(session: AsyncSession, *, partner_id: int, day: date) -> DailyReport:
    """The partner's rounds created on `day` (UTC), per (game, currency) and per currency."""
    gte, lt = day_bounds(day)
    wanted = RoundFilter(partner_id=partner_id, created_gte=gte, created_lt=lt)
    lines: dict[tuple[str, str], Figures] = {}
    for game_id, currency, status, count, stakes, payouts in await repository.totals(
        session, wanted
    ):
        figures = lines.setdefault((game_id, currency), Figures())
        if status == RoundStatus.settled:
            figures.rounds += int(count)
            figures.stakes += int(stakes)
            figures.payouts += int(payouts)
        elif status == RoundStatus.cancelled:
            figures.cancelled += int(count)
        else:
            figures.open += int(count)
    for key, failed in (await repository.failed_wallet_calls(session, wanted)).items():
        lines.setdefault(key, Figures()).failed_wallet_calls += failed
    settled = replace(wanted, statuses=(RoundStatus.settled,))
    for (game_id, currency), players in (
        await repository.distinct_players(session, settled, by_game=True)
    ).items():
        lines[(game_id or "", currency)].players = players
    across_games = await repository.distinct_players(session, settled, by_game=False)
    return DailyReport(
        partner_id=partner_id,
        day=day,
        rows=[GameLine(game, currency, lines[game, currency]) for game, currency in sorted(lines)],
        totals=_totals(lines, {currency: n for (_, currency), n in across_games.items()}),
    )


def _totals(lines: dict[tuple[str, str], Figures], players: dict[str, int]) -> list[CurrencyTotal]:
    by_currency: dict[str, Figures] = {}
    for (_, currency), figures in lines.items():
        by_currency.setdefault(currency, Figures()).add(figures)
    for currency, total in by_currency.items():
        total.players = players.get(currency, 0)
    return [CurrencyTotal(currency, by_currency[currency]) for currency in sorted(by_currency)]


async def reports_of_day(
    session: AsyncSession, *, partner_id: int | None, day: date
) -> list[tuple[Partner, DailyReport]]:
    """The report of one partner (which must exist), or of every partner with a round created
    that day, by partner id (the operator's CLI)."""
    if partner_id is not None:
        wanted = [partner_id]
    else:
        gte, lt = day_bounds(day)
        wanted = await repository.partners_with_rounds(session, created_gte=gte, created_lt=lt)
    found = []
    for each in wanted:
        partner = await partners.require_partner(session, each)
        found.append((partner, await daily_report(session, partner_id=each, day=day)))
    return found


@dataclass(frozen=True, slots=True)
class DailySeries:
    """GGR per day and currency (minor units), each list aligned with `days`; a day without
    settled rounds in a currency counts 0."""

    partner_id: int
    days: list[date]
    ggr: dict[str, list[int]]


def series_days(first: date, last: date) -> list[date]:
    """Every day of [first, last], at most MAX_SERIES_DAYS of them."""
    if last < first:
        raise InvalidField("to", "invalid", "to: the last day comes before the first")
    count = (last - first).days + 1
    if count > MAX_SERIES_DAYS:
        raise InvalidField(
            "to", "invalid", f"to: at most {MAX_SERIES_DAYS} days at once ({count} asked)"
        )
    day_bounds(last)
    return [first + timedelta(days=n) for n in range(count)]


async def daily_series(
    session: AsyncSession,
    partner_id: int,
    first: date,
    last: date,
    *,
    progress: Callable[[], None] | None = None,
) -> DailySeries:
    """The partner's GGR per UTC day from `first` to `last` included (at most a year), one
    query a day; `progress` is called after each day."""
    days = series_days(first, last)
    ggr: dict[str, list[int]] = {}
    for index, day in enumerate(days):
        gte, lt = day_bounds(day)
        settled = RoundFilter(
            partner_id=partner_id,
            statuses=(RoundStatus.settled,),
            created_gte=gte,
            created_lt=lt,
        )
        for _game, currency, _status, _count, stakes, payouts in await repository.totals(
            session, settled
        ):
            ggr.setdefault(currency, [0] * len(days))[index] += int(stakes) - int(payouts)
        if progress is not None:
            progress()
    return DailySeries(partner_id, days, dict(sorted(ggr.items())))


async def series_partners(
    session: AsyncSession, *, partner_id: int | None, first: date, last: date
) -> list[int]:
    """Whose series to draw: one partner (which must exist), or every partner with a round
    created from `first` to `last`."""
    if partner_id is not None:
        await partners.require_partner(session, partner_id)
        return [partner_id]
    days = series_days(first, last)
    gte, lt = day_bounds(days[0])[0], day_bounds(days[-1])[1]
    return await repository.partners_with_rounds(session, created_gte=gte, created_lt=lt)
