"""Secrets Portero must send on (a partner wallet's auth token) are kept encrypted, never in
clear and never hashed: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived with HKDF
from `PORTERO_SECRET_KEY`, one key per purpose, so that the launch-token key and this one
never coincide. Changing `PORTERO_SECRET_KEY` makes sealed secrets unreadable: they must be
set again (docs/security.md)."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class UnreadableSecret(RuntimeError):
    """A sealed secret that the current key cannot open (the key changed, or the bytes did)."""


@lru_cache(maxsize=8)
def _fernet(secret_key: bytes, purpose: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"portero:{purpose}".encode()
    ).derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret_key: bytes, purpose: str, plaintext: str) -> bytes:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode())


@lru_cache(maxsize=256)
def unseal(secret_key: bytes, purpose: str, sealed: bytes) -> str:
    """The secret; cached, because the round path opens the same one again and again."""
    try:
        return _fernet(secret_key, purpose).decrypt(sealed).decode()
    except InvalidToken:
        raise UnreadableSecret(
            f"a sealed {purpose} cannot be read with the current PORTERO_SECRET_KEY"
        ) from None
