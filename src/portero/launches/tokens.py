"""Launch-link tokens: one derivation, several wire shapes.

A token is HMAC-SHA256(secret key, launch id ‖ 128-bit random nonce). The database keeps the
nonce and SHA-256 of the token, never the token: a copy of the database alone yields no usable
link, while the service can re-derive the very same URL when a partner retries an idempotent
request. Shapes (entropy of the token as it travels):

- `urlsafe`: 43 base64url characters, 256 bits (native API and products by default).
- `uuid`: a version-4 UUID, 122 bits (seed 000's `/1.0/request/accepted/<uuid>`).
- `short_code`: `xxx-xxx-xxx-xx`, 11 base-36 characters, 56.9 bits (seed 002's shareable link);
  online guessing of 2^56.9 values is out of reach, and each guess costs an HTTP request.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
import uuid

from portero.kit.secrets import hash_token
from portero.launches.records import LaunchRecord


class TokenShape(enum.StrEnum):
    urlsafe = "urlsafe"
    uuid = "uuid"
    short_code = "short_code"


NONCE_BYTES = 16
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SHORT_CODE = re.compile(r"^[0-9a-zA-Z]{3}-[0-9a-zA-Z]{3}-[0-9a-zA-Z]{3}-[0-9a-zA-Z]{2}$")


def new_nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


def derive_token(key: bytes, *, launch_id: str, nonce: bytes, shape: TokenShape) -> str:
    digest = hmac.new(
        key, b"launch-link\x00" + launch_id.encode() + b"\x00" + nonce, hashlib.sha256
    ).digest()
    if shape is TokenShape.urlsafe:
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    if shape is TokenShape.uuid:
        return str(uuid.UUID(bytes=digest[:16], version=4))
    number = int.from_bytes(digest, "big") % 36**11  # bias below 2^-190: negligible
    code = "".join(_BASE36[(number // 36**i) % 36] for i in reversed(range(11)))
    return f"{code[0:3]}-{code[3:6]}-{code[6:9]}-{code[9:11]}"


def canonical(token: str) -> str:
    """UUIDs and short codes are case-insensitive on the wire; base64url tokens are not."""
    if _UUID.match(token) or _SHORT_CODE.match(token):
        return token.lower()
    return token


def lookup_hash(token: str) -> bytes:
    return hash_token(canonical(token))


def token_of(launch: LaunchRecord, signing_key: bytes) -> str:
    """The token of an issued launch, derived again (the database keeps only its hash)."""
    return derive_token(
        signing_key,
        launch_id=launch.id,
        nonce=launch.token_nonce,
        shape=TokenShape(launch.token_shape),
    )
