"""The three ways a partner's players hold their money (docs/wallets.md). A partner uses one
at a time and changes it only between rounds (rounds/wallet_modes.py)."""

from __future__ import annotations

import enum


class WalletMode(enum.StrEnum):
    # Play money on Portero's ledger, opened with a demo credit; the pages say so.
    demo = "demo"
    # Real money on Portero's ledger, moved in and out by the partner (deposits, withdrawals).
    transfer = "transfer"
    # Real money in the partner's own wallet, which Portero calls for every round (One Wallet).
    seamless = "seamless"


# The modes whose balances Portero's own ledger keeps (an account per player, currency, mode).
LEDGER_MODES = (WalletMode.demo, WalletMode.transfer)
