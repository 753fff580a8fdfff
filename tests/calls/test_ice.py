"""ICE servers from configuration, with TURN REST credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pydantic import ValidationError

from portero.calls.ice import ice_servers
from tests.conftest import make_settings


def test_without_configuration_there_are_no_ice_servers() -> None:
    assert ice_servers(make_settings("sqlite://"), user="u") == []


def test_turn_credentials_follow_the_turn_rest_scheme() -> None:
    settings = make_settings(
        "sqlite://",
        stun_urls="stun:stun.example.com:3478",
        turn_urls="turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349",
        turn_secret="shared-with-coturn",
        turn_ttl_seconds=600,
    )
    stun, turn = ice_servers(settings, user="customer-call_1", now=1_800_000_000.7)
    assert stun == {"urls": ["stun:stun.example.com:3478"]}
    assert turn["urls"] == [
        "turn:turn.example.com:3478?transport=udp",
        "turns:turn.example.com:5349",
    ]
    assert turn["username"] == "1800000600:customer-call_1"
    # What a TURN server with the same secret computes to check the password.
    expected = hmac.new(b"shared-with-coturn", b"1800000600:customer-call_1", hashlib.sha1)
    assert turn["credential"] == base64.b64encode(expected.digest()).decode()


def test_turn_urls_without_a_secret_hand_out_nothing() -> None:
    settings = make_settings("sqlite://", turn_urls="turn:turn.example.com")
    assert ice_servers(settings, user="u") == []


def test_a_url_that_is_not_stun_or_turn_is_refused_at_start() -> None:
    with pytest.raises(ValidationError):
        make_settings("sqlite://", stun_urls="https://stun.example.com")
