"""Evolution's One Wallet, the seamless wallet format Portero calls a partner's wallet in
(docs/wallets.md, "One Wallet, field by field"): the wire format (wire.py) and the pooled
client that calls it (client.py)."""
