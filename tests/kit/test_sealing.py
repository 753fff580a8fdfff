"""Secrets Portero must send on: sealed under a key derived from PORTERO_SECRET_KEY."""

from __future__ import annotations

import pytest

from portero.kit.sealing import UnreadableSecret, seal, unseal

KEY = b"k" * 32


def test_a_sealed_secret_opens_with_its_key_and_purpose_only() -> None:
    sealed = seal(KEY, "wallet auth token", "s3cret-token")
    assert b"s3cret-token" not in sealed
    assert unseal(KEY, "wallet auth token", sealed) == "s3cret-token"
    with pytest.raises(UnreadableSecret):
        unseal(b"another key, as long as it must be", "wallet auth token", sealed)
    with pytest.raises(UnreadableSecret):
        unseal(KEY, "another purpose", sealed)


def test_sealing_twice_gives_two_ciphertexts() -> None:
    assert seal(KEY, "p", "same") != seal(KEY, "p", "same")
