from __future__ import annotations

from portero.kit.errors import PorteroError


class InsufficientFunds(PorteroError):
    default_message = "The balance does not cover this stake."


class WalletError(PorteroError):
    """Base of the errors of players' money (never raised itself): the games' play APIs and
    the native API's wallet endpoints answer them; the seed APIs, which only issue links,
    never meet them."""


class TransferIdReused(WalletError):
    default_message = (
        "This transaction_id was already used for another transfer; use a new id for a new "
        "transfer."
    )


class WalletModeMismatch(WalletError):
    """Deposits and withdrawals are for partners whose wallet mode is `transfer`."""

    default_message = "This partner's players do not keep a balance with Portero."


class WalletTransferNotFound(WalletError):
    default_message = "No transfer with this transaction_id."
