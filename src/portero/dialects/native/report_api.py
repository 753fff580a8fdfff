"""Native API v1: a partner's daily report (rounds, players, stakes, payouts, GGR per game and
currency of one UTC day; docs/operators.md)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator

from portero.dialects.native.auth import CurrentPartner
from portero.dialects.native.report_schemas import DailyReportOut
from portero.http.deps import SessionDep, only_query_params
from portero.http.error_body import responses
from portero.reports.daily import daily_report

router = APIRouter(prefix="/v1", tags=["native API v1: reports"], responses=responses(429))
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD (pydantic alone would also take a timestamp or a datetime)."""
    if isinstance(value, str) and not ISO_DAY.match(value):
        raise ValueError("must be a day as YYYY-MM-DD")
    return value


Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    Query(
        alias="date",
        description="The UTC day, YYYY-MM-DD (a day without rounds, or still to come, has "
        "empty rows and totals).",
    ),
]


@router.get(
    "/reports/daily",
    response_model=DailyReportOut,
    responses=responses(400, 401, 403),
    dependencies=[Depends(only_query_params(frozenset({"date"})))],
)
async def get_daily_report(
    partner: CurrentPartner, session: SessionDep, day: Day
) -> DailyReportOut:
    """The calling partner's rounds created on one UTC day, per game and currency and per
    currency, in minor units: settled rounds, their distinct players, stakes, payouts and GGR
    (stakes - payouts); cancelled rounds, failed calls to your wallet, and rounds still open or
    failed (counted in no money figure until they close). Recompute it from `GET /v1/rounds`
    over the same window."""
    report = await daily_report(session, partner_id=partner.id, day=day)
    return DailyReportOut.of(report)
