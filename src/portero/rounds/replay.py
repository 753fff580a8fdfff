"""Replay links: a long-lived URL per round that shows it, read-only, to whoever holds it (a
support agent in a dispute, a regulator), with no partner token.

The link is the round's id and a MAC of it (HMAC-SHA256, 128 bits, under a key derived from
`PORTERO_SECRET_KEY` and `PORTERO_REPLAY_KEY`): it cannot be forged for another round, it
lives as long as the round is kept (the retention period), and changing `PORTERO_REPLAY_KEY`
revokes every link at once without touching the launch tokens' key.
"""

from __future__ import annotations

import base64
import hmac
import re
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from portero.settings import Settings

MAC_BYTES = 16
_TOKEN = re.compile(r"^([a-z]{3}_[0-9a-z]{26})\.([A-Za-z0-9_-]{22})$")


@lru_cache(maxsize=4)
def _key(secret_key: bytes, replay_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=replay_key.encode() or None,
        info=b"portero:replay-link",
    ).derive(secret_key)


def _mac(settings: Settings, round_id: str) -> str:
    replay_key = settings.replay_key.get_secret_value() if settings.replay_key else ""
    digest = hmac.digest(_key(settings.signing_key, replay_key), round_id.encode(), "sha256")
    return base64.urlsafe_b64encode(digest[:MAC_BYTES]).rstrip(b"=").decode()


def replay_token(settings: Settings, round_id: str) -> str:
    return f"{round_id}.{_mac(settings, round_id)}"


def replay_url(settings: Settings, round_id: str) -> str:
    return f"{settings.base_url}/replay/{replay_token(settings, round_id)}"


def round_of_token(settings: Settings, token: str) -> str | None:
    """The round a replay token names, or None if it is not one Portero signed with the
    current keys (compared in constant time)."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    round_id, mac = match.groups()
    return round_id if hmac.compare_digest(mac, _mac(settings, round_id)) else None
