"""The transfer wallet: real money Portero keeps on its ledger for a partner's players, moved
in and out by the partner's deposits and withdrawals (docs/wallets.md, "Transfer")."""
