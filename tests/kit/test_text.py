"""Text rules: what may be stored, and what may be shown to a person (kit/text.py)."""

from __future__ import annotations

import hashlib

import pytest

from portero.kit.ids import partner_number
from portero.kit.secrets import hash_token
from portero.kit.validation import check_display_text, check_printable

# Real names and emoji that need a joiner or another unusual character, each where Unicode
# needs it.
LEGITIMATE = [
    "Ana",
    "José Núñez",
    "  Ana  ",  # whitespace is trimmed by the models, not refused
    "👩\u200d💻 Ana",  # emoji ZWJ sequence: woman technologist
    "👩🏽\u200d💻",  # with a skin tone between the emoji and the joiner
    "🏳\ufe0f\u200d🌈",  # with a variation selector: rainbow flag
    "❤\ufe0f\u200d🔥",  # heart on fire: a pictograph below U+1F000
    "می\u200cشود",  # Persian: ZWNJ between two Arabic letters
    "क्\u200dष",  # Devanagari: ZWJ after a virama
    "ශ්\u200dරී",  # Sinhala "Sri": ZWJ after a virama
    "王小明",
    "Ørjan Ødegård",
    "🎰🎲",
]
# (text, why it must be refused)
MISLEADING = [
    ("Ana\u202e", "right-to-left override"),
    ("\u202eanA", "right-to-left override at the start"),
    ("An\u2066a\u2069", "left-to-right isolate"),
    ("Ana\u200e", "left-to-right mark"),
    ("A\u200bna", "zero width space"),
    ("A\u200dna", "ZWJ between Latin letters"),
    ("A\u200cna", "ZWNJ between Latin letters"),
    ("\u200dAna", "ZWJ at the start"),
    ("Ana\u200d", "ZWJ at the end"),
    ("👩\u200d", "ZWJ after an emoji, before nothing"),
    ("Ana\u2060", "word joiner"),
    ("\ufeffAna", "byte order mark"),
    ("An\u00ada", "soft hyphen"),
    ("Ana\U000e0041\U000e0042", "tag characters (invisible text)"),
    ("Ana\u2028Bea", "line separator"),
    ("Ana\u2029", "paragraph separator"),
    ("Ana\u180e", "Mongolian vowel separator"),
]
UNSTORABLE = ["Ana\x00", "Ana\n", "Ana\x7f", "Ana\ud800", "\udc80Ana", "\udfff"]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_text_is_shown_as_sent(text: str) -> None:
    assert check_display_text(text) == text


@pytest.mark.parametrize(("text", "why"), MISLEADING)
def test_misleading_text_is_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match="invisible or direction-changing"):
        check_display_text(text)
    assert check_printable(text) == text  # an id may hold them: ids are not shown


@pytest.mark.parametrize("text", UNSTORABLE)
def test_controls_and_lone_surrogates_are_refused_everywhere(text: str) -> None:
    with pytest.raises(ValueError, match="control characters or unpaired surrogates"):
        check_printable(text)
    with pytest.raises(ValueError, match="control characters or unpaired surrogates"):
        check_display_text(text)


@pytest.mark.parametrize("token", ["\ud800", "prt_\udc80abc", "\udfff\ud800", "prt_é"])
def test_any_text_hashes_as_a_token(token: str) -> None:
    assert len(hash_token(token)) == 32


def test_a_real_token_hashes_as_before() -> None:
    """Stored hashes stay valid: an ASCII token encodes the same whatever the error handler."""
    token = "prt_" + "A" * 43
    assert hash_token(token) == hashlib.sha256(token.encode()).digest()


@pytest.mark.parametrize(
    ("text", "number"),
    [("2", 2), ("0356", 356), ("9" * 18, int("9" * 18))],
)
def test_partner_numbers(text: str, number: int) -> None:
    assert partner_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["", " 2", "2 ", "-2", "+2", "²", "\u0663", "\uff12", "1e3", "9" * 19, "9" * 5000, "0x10"],
)
def test_what_is_not_a_partner_number(text: str) -> None:
    assert partner_number(text) is None
