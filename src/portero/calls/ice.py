"""ICE servers for the browsers, with short-lived TURN credentials (the TURN REST scheme).

The TURN server (coturn's `use-auth-secret`, for one) shares `turn_secret` with Portero and
accepts username `<expiry unix time>:<user>` with password base64(HMAC-SHA1(secret, username))
until that time: nothing long-lived ever reaches a browser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from portero.settings import Settings


def turn_credentials(secret: str, user: str, *, ttl_seconds: int, now: float) -> tuple[str, str]:
    username = f"{int(now) + ttl_seconds}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: Settings, *, user: str, now: float | None = None) -> list[dict[str, Any]]:
    """RTCPeerConnection's `iceServers` for one participant (no servers: host candidates only,
    enough on one network)."""
    servers: list[dict[str, Any]] = []
    if settings.stun_urls:
        servers.append({"urls": list(settings.stun_urls)})
    if settings.turn_urls and settings.turn_secret:
        username, credential = turn_credentials(
            settings.turn_secret,
            user,
            ttl_seconds=settings.turn_ttl_seconds,
            now=time.time() if now is None else now,
        )
        servers.append(
            {"urls": list(settings.turn_urls), "username": username, "credential": credential}
        )
    return servers
