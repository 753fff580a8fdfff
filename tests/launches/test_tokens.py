from __future__ import annotations

import re
import uuid

import pytest

from portero.launches.tokens import TokenShape, canonical, derive_token, lookup_hash, new_nonce

KEY = b"k" * 32


class TestShapes:
    def test_urlsafe_is_43_base64url_characters(self) -> None:
        token = derive_token(KEY, launch_id="lnch_1", nonce=new_nonce(), shape=TokenShape.urlsafe)
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)

    def test_uuid_is_a_version_4_uuid(self) -> None:
        token = derive_token(KEY, launch_id="lnch_1", nonce=new_nonce(), shape=TokenShape.uuid)
        parsed = uuid.UUID(token)
        assert parsed.version == 4
        assert str(parsed) == token

    def test_short_code_has_the_seed_shape(self) -> None:
        token = derive_token(
            KEY, launch_id="lnch_1", nonce=new_nonce(), shape=TokenShape.short_code
        )
        assert re.fullmatch(r"[0-9a-z]{3}-[0-9a-z]{3}-[0-9a-z]{3}-[0-9a-z]{2}", token)


class TestDerivation:
    def test_same_inputs_same_token_and_any_change_changes_it(self) -> None:
        nonce = new_nonce()
        token = derive_token(KEY, launch_id="lnch_1", nonce=nonce, shape=TokenShape.urlsafe)
        assert token == derive_token(KEY, launch_id="lnch_1", nonce=nonce, shape=TokenShape.urlsafe)
        others = {
            derive_token(b"x" * 32, launch_id="lnch_1", nonce=nonce, shape=TokenShape.urlsafe),
            derive_token(KEY, launch_id="lnch_2", nonce=nonce, shape=TokenShape.urlsafe),
            derive_token(KEY, launch_id="lnch_1", nonce=new_nonce(), shape=TokenShape.urlsafe),
        }
        assert token not in others
        assert len(others) == 3

    def test_nonces_are_random_128_bit(self) -> None:
        nonces = {new_nonce() for _ in range(1000)}
        assert len(nonces) == 1000
        assert all(len(n) == 16 for n in nonces)

    @pytest.mark.parametrize("shape", list(TokenShape))
    def test_no_collisions_over_many_launches(self, shape: TokenShape) -> None:
        tokens = {
            derive_token(KEY, launch_id=f"lnch_{i}", nonce=new_nonce(), shape=shape)
            for i in range(5000)
        }
        assert len(tokens) == 5000


class TestCanonical:
    def test_uuid_and_short_codes_are_case_insensitive(self) -> None:
        assert canonical("DD5BBFF0-F3BF-4644-A112-2B9057EB6C1B") == (
            "dd5bbff0-f3bf-4644-a112-2b9057eb6c1b"
        )
        assert canonical("L1Z-KFB-DMJ-70") == "l1z-kfb-dmj-70"
        assert lookup_hash("L1Z-KFB-DMJ-70") == lookup_hash("l1z-kfb-dmj-70")

    def test_base64url_tokens_keep_their_case(self) -> None:
        token = "AbC" * 14 + "d"
        assert canonical(token) == token
        assert lookup_hash(token) != lookup_hash(token.lower())
