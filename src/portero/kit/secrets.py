"""Partner tokens and the hashes stored in their place.

A token is shown once; only SHA-256 of it is stored. The tokens carry 256 random bits, so a
plain (unsalted, fast) hash is enough: nobody can brute-force the preimage of a random 256-bit
value, and an indexed lookup by hash keeps authentication to one query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PARTNER_TOKEN_PREFIX = "prt_"  # noqa: S105 (a prefix, not a secret)


def hash_token(token: str) -> bytes:
    # Any text hashes, even a lone surrogate from a JSON escape ("\ud800"): a token that is
    # not one must fail to match, not fail to encode. A real token is ASCII, and hashes alike.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def same_hash(left: bytes, right: bytes) -> bool:
    """Constant-time comparison, so response timing reveals nothing about a stored hash."""
    return hmac.compare_digest(left, right)


def new_partner_token() -> str:
    return PARTNER_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hint(token: str) -> str:
    """The few characters shown in listings so that an operator can tell tokens apart."""
    return token[:8] + "…" + token[-4:]
