"""The sandbox's One Wallet rules (docs: ../shared/WALLETS.md), as pure logic: no HTTP here.

`SandboxWallet.handle(method, body)` judges one request and says what to answer. Each rule
runs whole under a lock: the methods are synchronous and never await, so two requests served at
once by the event loop cannot interleave, and the lock also keeps `snapshot()` (read from a
test's thread while the server runs in another) consistent.

The rules, in the order a request meets them:

- Users are created on first sight, with `opening_balance` in each currency they use.
- `check` answers a new sid (`sbx_…`) valid for that user; the sid it carried is not judged.
- Repeats move nothing and say so with `retransmission: true` and the current balance: of an
  applied debit or credit BET_ALREADY_EXIST, of an executed cancel BET_ALREADY_SETTLED, of a
  tombstoned cancel BET_DOES_NOT_EXIST again. A repeated debit is recognised before its sid is
  judged (its retry may come after the session ended).
- `debit` needs a sid the sandbox issued to that user (INVALID_SID). An id a cancel already
  tombstoned, or a round already credited, moves nothing (BET_ALREADY_SETTLED); more than the
  balance is INSUFFICIENT_FUNDS and is not remembered (a retry is judged again).
- `credit` and `cancel` accept any sid, empty or unknown: settlement goes on after the player
  left. A credit settles the round its `refId` debit belongs to: once (a second credit of the
  round, whatever its id, is BET_ALREADY_SETTLED); a refId naming no debit of the round is
  BET_DOES_NOT_EXIST; a round whose debit was cancelled is BET_ALREADY_SETTLED.
- `cancel` carries the debit's own transaction id and is executed by it alone (user, currency
  and amount must match the debit: INVALID_PARAMETER otherwise). An uncredited debit is
  refunded; a credited round's debit is not (BET_ALREADY_SETTLED); an unknown id leaves a
  tombstone (BET_DOES_NOT_EXIST) so that the debit, should it arrive later, is never applied.
- A locked user (admin API) is ACCOUNT_LOCKED on check, balance and debit only.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portero.wallet.onewallet.wire import (
    ACCOUNT_LOCKED,
    BET_ALREADY_EXIST,
    BET_ALREADY_SETTLED,
    BET_DOES_NOT_EXIST,
    INSUFFICIENT_FUNDS,
    INVALID_PARAMETER,
    INVALID_SID,
    OK,
)
from portero.wallet.sandbox import messages
from portero.wallet.sandbox.messages import (
    Answer,
    BalanceRequest,
    CheckRequest,
    Malformed,
    MoneyRequest,
)
from portero.wallet.sandbox.state import Account, Kind, Round, State, Transaction

SID_PREFIX = "sbx_"
DEFAULT_OPENING_BALANCE = Decimal("1000.00")


@dataclass(frozen=True, slots=True)
class Breakage:
    """Rules to break, one at a time, to see a conformance test catch it (tests/wallet/
    test_conformance.py does). All off: the sandbox follows One Wallet.

    - `apply_duplicate_debits`: a repeated debit (same transaction id) is applied again, OK.
    - `credit_twice_per_round`: a second credit of a credited round (other id) is paid too.
    - `replay_credit_moves_money`: a repeated credit (same id) says BET_ALREADY_EXIST, yet pays.
    - `cancel_does_nothing`: a cancel of an applied debit answers OK and refunds nothing.
    - `unknown_cancel_fails_badly`: a cancel of an unknown debit answers OK and leaves no
      tombstone, so the debit, arriving later, is applied.
    - `ignore_insufficient_funds`: a debit above the balance is applied (the balance goes
      below zero).
    - `refuse_empty_sid_on_settlement`: credit and cancel need an issued sid (INVALID_SID).
    - `wrong_content_type`: replies are labelled `text/plain` (the body is still JSON).
    - `slow_replies`: every reply waits `slow_reply_seconds` (past the conformance latency
      budget of 2 s by default) before it is sent.
    """

    apply_duplicate_debits: bool = False
    credit_twice_per_round: bool = False
    replay_credit_moves_money: bool = False
    cancel_does_nothing: bool = False
    unknown_cancel_fails_badly: bool = False
    ignore_insufficient_funds: bool = False
    refuse_empty_sid_on_settlement: bool = False
    wrong_content_type: bool = False
    slow_replies: bool = False
    slow_reply_seconds: float = 2.5


class SandboxWallet:
    """A One Wallet operator's wallet, in memory. See the module's docstring for the rules."""

    def __init__(
        self,
        *,
        opening_balance: Decimal = DEFAULT_OPENING_BALANCE,
        breakage: Breakage | None = None,
    ) -> None:
        self.opening_balance = messages.amount_of(opening_balance)
        self.breakage = breakage or Breakage()
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        self._log: list[Transaction] = []
        self._debits: dict[str, Transaction] = {}  # applied (or since cancelled), by id
        self._credits: dict[str, Transaction] = {}  # applied, by id
        self._cancels: dict[str, Transaction] = {}  # executed or tombstoned, by the debit's id
        self._tombstones: set[str] = set()
        self._rounds: dict[str, Round] = {}

    # --- the five methods ----------------------------------------------------------------

    def handle(self, method: str, body: Mapping[str, Any]) -> Answer:
        """Judge one request of `method` (check, balance, debit, credit, cancel)."""
        with self._lock:
            try:
                if method == "check":
                    return self._check(messages.parse_check(body))
                if method == "balance":
                    return self._balance(messages.parse_balance(body))
                request = messages.parse_money(body)
            except Malformed:
                return Answer(INVALID_PARAMETER)
            if method == "debit":
                return self._debit(request)
            if method == "credit":
                return self._credit(request)
            if method == "cancel":
                return self._cancel(request)
            raise ValueError(f"{method!r} is not a One Wallet method")

    def _check(self, request: CheckRequest) -> Answer:
        account = self._account(request.user_id)
        if account.locked:
            return Answer(ACCOUNT_LOCKED)
        return Answer(OK, sid=self._issue_sid(account))

    def _balance(self, request: BalanceRequest) -> Answer:
        account = self._account(request.user_id)
        status = ACCOUNT_LOCKED if account.locked else OK
        return Answer(status, balance=self._balance_of(request.user_id, request.currency))

    def _debit(self, request: MoneyRequest) -> Answer:
        # A repeat first, whatever its sid: a provider retrying a debit whose answer it lost
        # may do so after the session ended, and must learn that the money moved.
        if request.transaction_id in self._debits and not self.breakage.apply_duplicate_debits:
            return self._replay(request, BET_ALREADY_EXIST)
        account = self._account(request.user_id)
        if account.locked:
            return self._refuse(Kind.debit, request, ACCOUNT_LOCKED)
        if request.sid not in account.sids:
            return self._refuse(Kind.debit, request, INVALID_SID)
        tombstoned = request.transaction_id in self._tombstones
        round_ = self._rounds.get(request.round_id)
        if tombstoned or (round_ is not None and round_.credited):
            return self._refuse(Kind.debit, request, BET_ALREADY_SETTLED)
        balance = self._balance_of(request.user_id, request.currency)
        if request.amount > balance and not self.breakage.ignore_insufficient_funds:
            return self._refuse(Kind.debit, request, INSUFFICIENT_FUNDS)
        debit = self._apply(Kind.debit, request, -request.amount)
        self._debits[debit.id] = debit
        self._round(request).debited += request.amount
        return self._answer(request, OK)

    def _credit(self, request: MoneyRequest) -> Answer:
        if self._settlement_sid_refused(request):
            return self._refuse(Kind.credit, request, INVALID_SID)
        if request.transaction_id in self._credits:
            if self.breakage.replay_credit_moves_money:
                self._pay(request)
            return self._replay(request, BET_ALREADY_EXIST)
        round_ = self._rounds.get(request.round_id)
        if round_ is not None and round_.credited and not self.breakage.credit_twice_per_round:
            return self._refuse(Kind.credit, request, BET_ALREADY_SETTLED)
        debit = self._debits.get(request.ref_id or "")
        if debit is None or (debit.round_id, debit.user_id) != (request.round_id, request.user_id):
            return self._refuse(Kind.credit, request, BET_DOES_NOT_EXIST)
        if debit.currency != request.currency:
            return self._refuse(Kind.credit, request, INVALID_PARAMETER)
        if debit.state is State.cancelled:
            return self._refuse(Kind.credit, request, BET_ALREADY_SETTLED)
        self._pay(request)
        return self._answer(request, OK)

    def _pay(self, request: MoneyRequest) -> None:
        credit = self._apply(Kind.credit, request, request.amount)
        self._credits[credit.id] = credit
        round_ = self._round(request)
        round_.credited_amount += request.amount
        round_.credited = True

    def _cancel(self, request: MoneyRequest) -> Answer:
        if self._settlement_sid_refused(request):
            return self._refuse(Kind.cancel, request, INVALID_SID)
        earlier = self._cancels.get(request.transaction_id)
        if earlier is not None:  # executed (settled) before, or tombstoned (still unknown)
            tombstoned = earlier.state is State.refused
            return self._replay(request, BET_DOES_NOT_EXIST if tombstoned else BET_ALREADY_SETTLED)
        debit = self._debits.get(request.transaction_id)
        if debit is None:
            return self._cancel_unknown(request)
        mismatch = (debit.user_id, debit.currency, debit.amount) != (
            request.user_id,
            request.currency,
            request.amount,
        )
        if mismatch:
            return self._refuse(Kind.cancel, request, INVALID_PARAMETER)
        round_ = self._rounds[debit.round_id]
        if round_.credited:
            return self._refuse(Kind.cancel, request, BET_ALREADY_SETTLED)
        if self.breakage.cancel_does_nothing:
            cancel = self._record(Kind.cancel, request, State.applied, OK)
        else:
            cancel = self._apply(Kind.cancel, request, debit.amount, round_id=debit.round_id)
            debit.state = State.cancelled
            round_.refunded += debit.amount
        self._cancels[cancel.id] = cancel
        return self._answer(request, OK)

    def _cancel_unknown(self, request: MoneyRequest) -> Answer:
        """A cancel that came before its debit (or for one that never will): a tombstone, so
        that the debit is refused if it ever arrives."""
        if self.breakage.unknown_cancel_fails_badly:
            return self._answer(request, OK)
        self._tombstones.add(request.transaction_id)
        tombstone = self._record(Kind.cancel, request, State.refused, BET_DOES_NOT_EXIST)
        self._cancels[tombstone.id] = tombstone
        return self._answer(request, BET_DOES_NOT_EXIST)

    def _settlement_sid_refused(self, request: MoneyRequest) -> bool:
        if not self.breakage.refuse_empty_sid_on_settlement:
            return False
        return request.sid not in self._account(request.user_id).sids

    # --- bookkeeping ---------------------------------------------------------------------

    def _account(self, user_id: str) -> Account:
        account = self._accounts.get(user_id)
        if account is None:
            account = self._accounts[user_id] = Account()
        return account

    def _balance_of(self, user_id: str, currency: str) -> Decimal:
        balances = self._account(user_id).balances
        return balances.setdefault(currency, self.opening_balance)

    def _issue_sid(self, account: Account) -> str:
        sid = SID_PREFIX + secrets.token_urlsafe(12)
        account.sids.add(sid)
        return sid

    def _round(self, request: MoneyRequest) -> Round:
        round_ = self._rounds.get(request.round_id)
        if round_ is None:
            round_ = self._rounds[request.round_id] = Round(request.user_id, request.currency)
        return round_

    def _record(
        self,
        kind: Kind,
        request: MoneyRequest,
        state: State,
        status: str,
        *,
        round_id: str | None = None,
    ) -> Transaction:
        transaction = Transaction(
            kind=kind,
            id=request.transaction_id,
            user_id=request.user_id,
            currency=request.currency,
            round_id=round_id or request.round_id,
            ref_id=request.ref_id,
            amount=request.amount,
            state=state,
            status=status,
        )
        self._log.append(transaction)
        return transaction

    def _apply(
        self, kind: Kind, request: MoneyRequest, delta: Decimal, *, round_id: str | None = None
    ) -> Transaction:
        balances = self._account(request.user_id).balances
        balances[request.currency] = self._balance_of(request.user_id, request.currency) + delta
        return self._record(kind, request, State.applied, OK, round_id=round_id)

    def _refuse(self, kind: Kind, request: MoneyRequest, status: str) -> Answer:
        self._record(kind, request, State.refused, status)
        return self._answer(request, status)

    def _replay(self, request: MoneyRequest, status: str) -> Answer:
        return self._answer(request, status, retransmission=True)

    def _answer(
        self, request: MoneyRequest, status: str, *, retransmission: bool = False
    ) -> Answer:
        balance = self._balance_of(request.user_id, request.currency)
        return Answer(status, balance=balance, retransmission=retransmission)

    # --- what tests and the admin API see and change --------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole state, as copies: users (balances per currency, locked, sids), every
        judged transaction in arrival order (kind, id, round, amount, state, status), the
        tombstones, and per round what moved and its net (credits + refunds minus debits)."""
        with self._lock:
            return {
                "users": {user: account.view() for user, account in self._accounts.items()},
                "transactions": [transaction.view() for transaction in self._log],
                "tombstones": sorted(self._tombstones),
                "rounds": {round_id: round_.view() for round_id, round_ in self._rounds.items()},
            }

    def user(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            return self._account(user_id).view()

    def balance(self, user_id: str, currency: str) -> Decimal:
        with self._lock:
            return self._balance_of(user_id, currency)

    def set_balance(self, user_id: str, currency: str, amount: Decimal) -> None:
        """Raises ValueError for a currency ISO 4217 does not know or a negative amount, or
        one that has more than two decimals."""
        code, exact = messages.currency_code(currency), messages.amount_of(amount)
        with self._lock:
            self._account(user_id).balances[code] = exact

    def set_locked(self, user_id: str, locked: bool) -> None:
        with self._lock:
            self._account(user_id).locked = locked

    def invalidate_sids(self, user_id: str) -> None:
        """Forget every sid issued to the user: their next debit is INVALID_SID until a check."""
        with self._lock:
            self._account(user_id).sids.clear()

    def issue_sid(self, user_id: str) -> str:
        """What `check` does, for a test that wants a valid sid without a request."""
        with self._lock:
            return self._issue_sid(self._account(user_id))
