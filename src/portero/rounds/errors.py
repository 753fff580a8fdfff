from __future__ import annotations

from portero.kit.errors import PorteroError
from portero.launches.errors import SessionExpired
from portero.wallet.errors import WalletError


class RoundInProgress(WalletError):
    """The same round id is being played right now (a retry that overtook its original):
    ask again in a moment for the answer."""

    default_message = "This round is still being settled with the wallet; retry shortly."
    retry_after = 1


class WalletUnavailable(WalletError):
    """The partner's wallet did not confirm the bet (no answer in time, an error, a reply it
    could not read): the round was not played, and any money the wallet took is given back.
    A retry with the same round id answers the same; a new round needs a new id."""

    default_message = (
        "Your bet did not go through: the wallet did not answer in time. Nothing is owed; "
        "please try again."
    )


class WalletRefused(WalletError):
    """The partner's wallet refused the bet for good (other than for funds): the round was
    not played; `status` is the wallet's own."""

    def __init__(self, status: str, message: str | None = None) -> None:
        super().__init__(message or f"The wallet refused this bet ({status}).")
        self.status = status


class WalletSessionEnded(SessionExpired):
    """The partner's wallet ended the player's session (INVALID_SID, ACCOUNT_LOCKED, …): the
    play session ends with it, and the page asks the player to log in again."""

    default_message = "Your session has expired; please log in again."


class AmountNotCarried(WalletError):
    """A stake that the partner's wallet format cannot carry exactly (One Wallet has two
    decimal places; see wallet/onewallet/wire.py)."""


class RoundNotFound(WalletError):
    default_message = "No such round."


class RoundNotFailed(WalletError):
    """Only a failed round (its retries spent) can be retried or resolved by hand."""

    default_message = "This round has not failed: it is settled, cancelled or still in progress."


class WalletModeLocked(WalletError):
    """A partner's wallet mode changes only while none of its rounds is in flight."""

    default_message = (
        "Rounds of this partner are still being settled, or have failed and wait for an "
        "operator (portero wallet failures); change the mode once they are settled."
    )


class WalletNotConfigured(WalletError):
    """A seamless wallet needs its URL and auth token."""

    default_message = "A seamless wallet needs --url and --auth-token."


class StakeOverLimit(PorteroError):
    """A round's stake over the session's `max_stake` (responsible gaming, set at launch)."""

    default_message = "This stake is over the largest stake per round set for this session."


class LossLimitReached(PorteroError):
    """A round whose stake could take the session's net loss past its `loss_limit`: refused
    before any money moves."""

    default_message = "This round could take your losses in this session past the limit set for it."


class RealityCheckDue(PorteroError):
    """A reality check is due (`reality_check_seconds`): the player acknowledges it
    (POST /play/api/reality-check) before the next round."""

    default_message = (
        "A reality check is due: acknowledge it (POST /play/api/reality-check) to play on."
    )
