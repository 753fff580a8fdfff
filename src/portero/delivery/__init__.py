"""The delivery engine: every call Portero must make to a partner (a seamless wallet's debit,
credit and cancel; later the webhooks) kept in the database, tried at once by the request that
needs it, and retried in the background on a schedule until it is answered or spent. It
survives restarts and runs safely in several processes (docs/wallets.md, "The delivery
engine")."""
