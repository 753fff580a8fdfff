"""The game round, one path for every game: replay by the page's round id, the stake settled
through the partner's wallet mode, the outcome recorded, the metrics (docs/wallets.md)."""
