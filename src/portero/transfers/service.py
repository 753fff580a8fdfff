"""A transfer partner's deposits and withdrawals (docs/wallets.md, "Transfer").

Each is idempotent by the partner's `transaction_id`: the same id with the same request
answers the first outcome again (a refusal included), the same id with another request is
refused. A transfer takes the player's account row for the rest of its transaction, as a
round on the ledger does, so a withdrawal can never overdraw nor interleave with a round.
A refused withdrawal is recorded too: its fate must be readable by a partner whose call timed
out.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.kit.clock import utcnow
from portero.kit.errors import InvalidField
from portero.kit.ids import new_id
from portero.kit.text import unstorable
from portero.partners import repository as partners
from portero.players import repository as players
from portero.players.service import require_player
from portero.transfers import repository as transfer_repository
from portero.transfers.models import WalletTransfer
from portero.wallet import ledger
from portero.wallet.errors import TransferIdReused, WalletModeMismatch, WalletTransferNotFound
from portero.wallet.models import WalletAccount
from portero.wallet.modes import WalletMode


class TransferKind(enum.StrEnum):
    deposit = "deposit"
    withdrawal = "withdrawal"


# Far above any real balance, far below what the column holds.
LARGEST_BALANCE = 10**17
MAX_PLAYER_ID = 128
COMPLETED = "completed"
REFUSED = "refused"
INSUFFICIENT_FUNDS = "insufficient_funds"


@dataclass(frozen=True, slots=True)
class TransferRequest:
    transaction_id: str
    currency: str
    amount: int  # minor units, positive


@dataclass(frozen=True, slots=True)
class Transfer:
    record: WalletTransfer
    player_id: str  # the partner's id for the player
    replayed: bool

    @property
    def refused(self) -> bool:
        return self.record.status == REFUSED


def _fingerprint(kind: TransferKind, player_id: str, request: TransferRequest) -> bytes:
    text = f"{kind}\x00{player_id}\x00{request.currency}\x00{request.amount}"
    return hashlib.sha256(text.encode()).digest()


def check_player_id(player_id: str) -> None:
    """A player id a deposit may register: what the launch APIs accept as `player.id`."""
    if not 0 < len(player_id) <= MAX_PLAYER_ID or unstorable(player_id):
        raise InvalidField(
            "player_id", "invalid", f"player_id: 1-{MAX_PLAYER_ID} characters, no control ones"
        )


async def require_transfer_mode(session: AsyncSession, partner_id: int) -> None:
    config = await partners.wallet_config(session, partner_id)
    if config is None or config.wallet_mode != WalletMode.transfer:
        mode = config.wallet_mode if config is not None else "demo"
        raise WalletModeMismatch(
            f"This partner's wallet mode is {mode}: deposits and withdrawals need the "
            "transfer mode."
        )


async def move(
    session: AsyncSession,
    *,
    partner_id: int,
    player_id: str,
    kind: TransferKind,
    request: TransferRequest,
) -> Transfer:
    """Deposit or withdraw; a refused withdrawal comes back recorded (`refused`), for the
    caller to answer as a refusal once it is committed."""
    await require_transfer_mode(session, partner_id)
    fingerprint = _fingerprint(kind, player_id, request)
    earlier = await _earlier(session, partner_id, request.transaction_id, fingerprint, player_id)
    if earlier is not None:
        return earlier
    now = utcnow()
    if kind is TransferKind.deposit:
        check_player_id(player_id)
        player = await players.ensure(
            session, partner_id=partner_id, external_id=player_id, now=now
        )
    else:
        player = await require_player(session, partner_id=partner_id, external_id=player_id)
    account = await _account(session, player.id, request.currency)
    # Again under the account's lock: the same request sent twice at once waits here.
    earlier = await _earlier(session, partner_id, request.transaction_id, fingerprint, player_id)
    if earlier is not None:
        return earlier
    record = await _apply(session, account, kind, request, now=now)
    record.partner_id, record.player_id, record.request_hash = partner_id, player.id, fingerprint
    transfer_repository.add(session, record)
    try:
        await session.flush()
    except IntegrityError:  # the id, taken meanwhile for another player or currency
        raise TransferIdReused(param="transaction_id") from None
    return Transfer(record, player_id, replayed=False)


async def _apply(
    session: AsyncSession,
    account: WalletAccount,
    kind: TransferKind,
    request: TransferRequest,
    *,
    now: datetime,
) -> WalletTransfer:
    """The money moved (or the withdrawal refused): the transfer's record, still to be tied
    to its partner, player and fingerprint and written."""
    if kind is TransferKind.deposit and account.balance + request.amount > LARGEST_BALANCE:
        raise InvalidField(
            "amount", "invalid", f"amount: the balance would exceed {LARGEST_BALANCE} minor units"
        )
    signed = request.amount if kind is TransferKind.deposit else -request.amount
    balance = await ledger.move(
        session,
        account_id=account.id,
        amount=signed,
        kind=kind.value,
        reference=f"transfer:{request.transaction_id}",
        now=now,
    )
    return WalletTransfer(
        id=new_id("wtr"),
        transaction_id=request.transaction_id,
        kind=kind.value,
        currency=request.currency,
        amount=request.amount,
        status=COMPLETED if balance is not None else REFUSED,
        refusal=None if balance is not None else INSUFFICIENT_FUNDS,
        balance_after=balance if balance is not None else account.balance,
        created_at=now,
    )


async def _account(session: AsyncSession, player_key: int, currency: str) -> WalletAccount:
    async def nothing() -> int:  # real money starts at nothing: the partner deposits it
        return 0

    return await ledger.account(
        session,
        player_id=player_key,
        currency=currency,
        mode=WalletMode.transfer,
        opening_credit=nothing,
        lock=True,
    )


async def _earlier(
    session: AsyncSession,
    partner_id: int,
    transaction_id: str,
    fingerprint: bytes,
    player_id: str,
) -> Transfer | None:
    found = await transfer_repository.by_transaction_id(
        session, partner_id=partner_id, transaction_id=transaction_id
    )
    if found is None:
        return None
    if found.request_hash != fingerprint:
        raise TransferIdReused(param="transaction_id")
    return Transfer(found, player_id, replayed=True)


async def find(session: AsyncSession, *, partner_id: int, transaction_id: str) -> Transfer:
    """A transfer's fate by the partner's own id."""
    found = await transfer_repository.by_transaction_id(
        session, partner_id=partner_id, transaction_id=transaction_id
    )
    if found is None:
        raise WalletTransferNotFound(param="transaction_id")
    player = await players.get(session, partner_id=partner_id, player_id=found.player_id)
    assert player is not None  # a transfer's player is deleted only with it
    return Transfer(found, player.external_id, replayed=False)


async def balances(
    session: AsyncSession, *, partner_id: int, player_id: str
) -> list[WalletAccount]:
    """The player's real-money balances with Portero, by currency."""
    player = await require_player(session, partner_id=partner_id, external_id=player_id)
    return await ledger.balances(session, player_id=player.id, mode=WalletMode.transfer)
