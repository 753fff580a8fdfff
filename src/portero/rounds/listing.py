"""A partner's rounds as its finance and support teams read them (GET /v1/rounds, the replay
page, the events that report a round): each with its player, its public status and the
wallet transactions that moved its money."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portero.delivery import repository as deliveries
from portero.delivery.models import DeliveryStatus
from portero.kit.errors import InvalidField
from portero.kit.pagination import Page
from portero.players import repository as players
from portero.rounds import repository
from portero.rounds.errors import RoundNotFound
from portero.rounds.models import OPEN_STATUSES, GameRound, RoundStatus
from portero.rounds.repository import RoundFilter
from portero.wallet.modes import WalletMode

# A window without a cursor is at most a day wide: a poller walks the day in pages, and a
# query never scans more than one day of a partner's rounds to find its first page.
MAX_WINDOW = timedelta(hours=24)
# The answers that mean a wallet call did what it asked (a replay of an earlier answer
# included; a cancel of a debit that never landed has nothing to give back).
ACCEPTED = frozenset({"OK", "BET_ALREADY_EXIST", "BET_ALREADY_SETTLED", "BET_DOES_NOT_EXIST"})


class PublicStatus(enum.StrEnum):
    open = "open"  # its wallet calls are still being made
    settled = "settled"
    cancelled = "cancelled"
    failed = "failed"  # retries spent: an operator settles it


STATUSES_OF = {
    PublicStatus.open: tuple(OPEN_STATUSES),
    PublicStatus.settled: (RoundStatus.settled,),
    PublicStatus.cancelled: (RoundStatus.cancelled,),
    PublicStatus.failed: (RoundStatus.failed,),
}


def public_status(status: str) -> PublicStatus:
    if status in OPEN_STATUSES:
        return PublicStatus.open
    return PublicStatus(status)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One movement of the round's money: on Portero's ledger (demo, transfer), or a call to
    the partner's wallet (seamless), by the transaction id the wallet saw."""

    id: str
    type: str  # debit, credit, cancel
    amount: int  # minor units
    status: str  # pending, completed, refused, failed
    outcome: str | None  # the wallet's answer (OK, INSUFFICIENT_FUNDS…), or the last try's


@dataclass(frozen=True, slots=True)
class RoundView:
    round: GameRound
    player_id: str  # the partner's own id of the player
    transactions: list[Transaction]

    @property
    def status(self) -> PublicStatus:
        return public_status(self.round.status)


@dataclass(frozen=True, slots=True)
class RoundQuery:
    player_id: str | None = None
    product: str | None = None
    game_id: str | None = None
    status: PublicStatus | None = None
    created_gte: datetime | None = None
    created_lt: datetime | None = None


async def list_rounds(
    session: AsyncSession,
    *,
    partner_id: int,
    query: RoundQuery,
    limit: int,
    starting_after: str | None,
) -> Page[RoundView]:
    """A page of the partner's rounds, newest first."""
    gte, lt = _window(query, cursor=starting_after is not None)
    wanted = RoundFilter(
        partner_id=partner_id,
        product=query.product,
        game_id=query.game_id,
        statuses=STATUSES_OF[query.status] if query.status else None,
        created_gte=gte,
        created_lt=lt,
    )
    if query.player_id is not None:
        player = await players.get_by_external_id(
            session, partner_id=partner_id, external_id=query.player_id
        )
        if player is None:
            return Page([], has_more=False)
        wanted = replace(wanted, player_key=player.id)
    after = None
    if starting_after is not None:
        after = await repository.position_of(session, partner_id, starting_after)
        if after is None:
            raise InvalidField("starting_after", "unknown", "starting_after: no such round")
    found = await repository.page(session, wanted, limit=limit, after=after)
    views = await views_of(session, partner_id, found.items)
    return Page(views, found.has_more)


async def get_round(session: AsyncSession, *, partner_id: int, round_id: str) -> RoundView:
    found = await repository.with_player(session, partner_id, round_id)
    if found is None:
        raise RoundNotFound(param="round_id")
    return (await views_of(session, partner_id, [found]))[0]


async def view_of(session: AsyncSession, played: GameRound) -> RoundView:
    """A round found under its partner's scope (an event, the replay page), as listed."""
    found = await repository.with_player(session, played.partner_id, played.id)
    assert found is not None, "the round was just read"
    return (await views_of(session, played.partner_id, [found]))[0]


async def views_of(
    session: AsyncSession, partner_id: int, rows: Sequence[tuple[GameRound, str]]
) -> list[RoundView]:
    """Rounds with their transactions: one query for the wallet calls of all of them."""
    seamless = [played.id for played, _ in rows if played.wallet_mode == WalletMode.seamless]
    calls: dict[str, list[Any]] = {}
    for call in await deliveries.of_subjects(session, partner_id, seamless, kind_prefix="wallet."):
        calls.setdefault(call.subject_id, []).append(call)
    return [
        RoundView(
            played,
            player_id,
            _wallet_calls(played, calls.get(played.id, []))
            if played.wallet_mode == WalletMode.seamless
            else _ledger_entries(played),
        )
        for played, player_id in rows
    ]


def _ledger_entries(played: GameRound) -> list[Transaction]:
    """A round on the ledger moves its money in the transaction that records it: its stake
    and its return are the ledger's entries under the round's id."""
    if played.status != RoundStatus.settled:
        return []
    reference = f"{played.product}:{played.id}"  # the ledger's (rounds/on_ledger.py)
    entries = [Transaction(f"{reference}:stake", "debit", played.stake, "completed", None)]
    if played.payout:
        entries.append(Transaction(f"{reference}:win", "credit", played.payout, "completed", None))
    return entries


def _wallet_calls(played: GameRound, calls: list[Any]) -> list[Transaction]:
    amounts = {"debit": played.stake, "credit": played.payout or 0, "cancel": played.stake}
    found = []
    for call in calls:
        method = call.payload["method"]
        found.append(
            Transaction(
                id=call.payload["transaction_id"],
                type=method,
                amount=amounts[method],
                status=_call_status(call.status, call.last_outcome),
                outcome=call.last_outcome,
            )
        )
    return found


def _call_status(status: str, outcome: str | None) -> str:
    if status == DeliveryStatus.pending:
        return "pending"
    if status == DeliveryStatus.failed:
        return "failed"
    return "completed" if outcome in ACCEPTED else "refused"


def _window(query: RoundQuery, *, cursor: bool) -> tuple[datetime | None, datetime | None]:
    """The time window, each missing bound a day from the other; without a cursor no wider
    than a day."""
    gte, lt = query.created_gte, query.created_lt
    if gte is not None and lt is not None and lt <= gte:
        raise InvalidField("created[lt]", "invalid", "created[lt] must be after created[gte]")
    if cursor:
        return gte, lt
    if gte is not None and lt is None:
        lt = gte + MAX_WINDOW
    elif lt is not None and gte is None:
        gte = lt - MAX_WINDOW
    if gte is not None and lt is not None and lt - gte > MAX_WINDOW:
        raise InvalidField(
            "created[lt]",
            "invalid",
            "The window from created[gte] to created[lt] is at most 24 hours wide; walk a "
            "longer one with starting_after.",
        )
    return gte, lt
