"""The provably fair draw (documented, with a worked example, in docs/products/roulette.md).

Before a round the player is shown `commitment = SHA-256(server_seed)`. The round's number is

    digest = HMAC-SHA256(key=server_seed, message=f"{client_seed}:{nonce}")

read as eight big-endian 32-bit words; the first word below 4,294,967,289 (37 * 116,080,197,
the largest multiple of 37 under 2**32) gives `word % 37`. Reducing only words from a whole
number of 37-blocks keeps every pocket exactly equally likely. If all eight words are refused
(odds about 1 in 10^70) the digest of f"{client_seed}:{nonce}:{i}" for i = 1, 2, … is read
the same way. After the round the server seed is revealed, and anyone can recompute it all.

The server seed is 32 bytes from the operating system's CSPRNG; it is hex-encoded on the wire
and the HMAC key and hash input are those 32 bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from itertools import count

from portero.roulette.wheel import POCKETS

SEED_BYTES = 32
WORD_BYTES = 4


def new_server_seed() -> str:
    return secrets.token_hex(SEED_BYTES)


def new_client_seed() -> str:
    """The client seed a new player starts with; the player may choose another at any time."""
    return secrets.token_hex(8)


def commitment(server_seed: str) -> str:
    return hashlib.sha256(bytes.fromhex(server_seed)).hexdigest()


def accept(word: int, n: int, bits: int) -> int | None:
    """`word % n` when `word` lies in the largest prefix of [0, 2**bits) made of whole
    n-blocks; None otherwise (rejection sampling: every result equally likely)."""
    if word < (2**bits // n) * n:
        return word % n
    return None


def _words(server_seed: str, client_seed: str, nonce: int) -> Iterator[int]:
    key = bytes.fromhex(server_seed)
    for attempt in count():
        message = f"{client_seed}:{nonce}" if attempt == 0 else f"{client_seed}:{nonce}:{attempt}"
        digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
        for start in range(0, len(digest), WORD_BYTES):
            yield int.from_bytes(digest[start : start + WORD_BYTES], "big")


def draw(server_seed: str, client_seed: str, nonce: int, pockets: int = POCKETS) -> int:
    """The winning number of the round with these seeds."""
    for word in _words(server_seed, client_seed, nonce):
        number = accept(word, pockets, WORD_BYTES * 8)
        if number is not None:
            return number
    raise AssertionError("unreachable: the word stream is endless")
