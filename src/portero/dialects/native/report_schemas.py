"""The native API's daily report: a partner's rounds of one UTC day, in minor units."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from portero.reports.daily import DailyReport, Figures


class ReportFiguresOut(BaseModel):
    """What the rounds created that day add up to (amounts in the currency's minor units)."""

    rounds: int = Field(description="Settled rounds.")
    players: int = Field(description="Distinct players of the settled rounds.")
    stakes: int = Field(description="Stakes of the settled rounds, minor units.")
    payouts: int = Field(description="Payouts of the settled rounds, minor units.")
    ggr: int = Field(description="Gross gaming revenue: stakes - payouts, minor units.")
    cancelled: int = Field(description="Cancelled rounds (nothing owed either way).")
    failed_wallet_calls: int = Field(
        description="Calls to your wallet whose retries were spent (seamless rounds)."
    )
    open: int = Field(
        description="Rounds still open, or failed and waiting for an operator: they count in "
        "no money figure above until they close."
    )

    @staticmethod
    def values(figures: Figures) -> dict[str, int]:
        return {
            "rounds": figures.rounds,
            "players": figures.players,
            "stakes": figures.stakes,
            "payouts": figures.payouts,
            "ggr": figures.ggr,
            "cancelled": figures.cancelled,
            "failed_wallet_calls": figures.failed_wallet_calls,
            "open": figures.open,
        }


class CurrencyKey(BaseModel):
    currency: str


class GameKey(BaseModel):
    game_id: str
    currency: str


class ReportRowOut(ReportFiguresOut, GameKey):
    """One game in one currency."""


class ReportTotalOut(ReportFiguresOut, CurrencyKey):
    """One currency, every game (players distinct across games); currencies are never added."""


class DailyReportOut(BaseModel):
    object: Literal["daily_report"] = "daily_report"
    date: date
    timezone: Literal["UTC"] = Field(
        default="UTC", description="The day runs from 00:00Z to the next 00:00Z."
    )
    rows: list[ReportRowOut] = Field(description="Per game and currency, by game then currency.")
    totals: list[ReportTotalOut] = Field(description="Per currency.")

    @classmethod
    def of(cls, report: DailyReport) -> DailyReportOut:
        return cls(
            date=report.day,
            rows=[
                ReportRowOut(
                    game_id=row.game_id,
                    currency=row.currency,
                    **ReportFiguresOut.values(row.figures),
                )
                for row in report.rows
            ],
            totals=[
                ReportTotalOut(currency=total.currency, **ReportFiguresOut.values(total.figures))
                for total in report.totals
            ],
        )
