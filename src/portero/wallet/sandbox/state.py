"""What the sandbox remembers: accounts, the movements it was asked for, rounds, tombstones.

Plain records, mutated only by `rules.SandboxWallet` under its lock; `view()` methods give the
JSON-ready copies that `SandboxWallet.snapshot()` returns (amounts stay Decimals, so that the
admin API writes them with two decimals and tests compare them exactly).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")


class Kind(enum.StrEnum):
    debit = "debit"
    credit = "credit"
    cancel = "cancel"


class State(enum.StrEnum):
    applied = "applied"  # the money moved
    cancelled = "cancelled"  # a debit that moved, then was refunded by its cancel
    refused = "refused"  # nothing moved (the status says why)


@dataclass(slots=True)
class Account:
    """A user: a balance per currency (opened on first sight), the sids `check` issued to
    them, and whether the admin API locked them."""

    balances: dict[str, Decimal] = field(default_factory=dict)
    sids: set[str] = field(default_factory=set)
    locked: bool = False

    def view(self) -> dict[str, Any]:
        return {
            "balances": dict(sorted(self.balances.items())),
            "locked": self.locked,
            "sids": sorted(self.sids),
        }


@dataclass(slots=True)
class Transaction:
    """One debit, credit or cancel the sandbox judged (repeats of an applied one are not
    recorded again: they moved nothing)."""

    kind: Kind
    id: str
    user_id: str
    currency: str
    round_id: str
    ref_id: str | None
    amount: Decimal
    state: State
    status: str

    def view(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "id": self.id,
            "user_id": self.user_id,
            "currency": self.currency,
            "round": self.round_id,
            "ref_id": self.ref_id,
            "amount": self.amount,
            "state": str(self.state),
            "status": self.status,
        }


@dataclass(slots=True)
class Round:
    """A `game.id`: what moved in it. `credited` closes it: no later debit or credit moves
    money, and its debits can no longer be cancelled."""

    user_id: str
    currency: str
    debited: Decimal = ZERO
    credited_amount: Decimal = ZERO
    refunded: Decimal = ZERO
    credited: bool = False

    @property
    def net(self) -> Decimal:
        """The player's gain in the round: credits + refunds minus debits."""
        return self.credited_amount + self.refunded - self.debited

    def view(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "currency": self.currency,
            "debited": self.debited,
            "credited": self.credited_amount,
            "refunded": self.refunded,
            "net": self.net,
            "closed": self.credited,
        }
