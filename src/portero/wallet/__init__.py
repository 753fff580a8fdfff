"""Play-money wallets: a balance per player and currency, and the ledger of every movement."""
