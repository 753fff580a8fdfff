"""What text may contain: any text must be storable, and text that a person will read (a
player's name on an agent's console, a ticket, an agent's name on the customer's page) must
look like what it is.

Bidirectional overrides and isolates can make "Ana" display as another customer's name, and
invisible format characters (Unicode category Cf: zero-width spaces, word joiners, tag
characters…) can make two different names look identical. Text shown to people refuses them
all, with two exceptions that real names and emoji need, in the contexts where Unicode itself
needs them:

- ZERO WIDTH JOINER inside an emoji ZWJ sequence (UTS #51: 👩‍💻, 🏳️‍🌈), or after a virama
  (RFC 5892's CONTEXTJ rule: Devanagari, Sinhala, Malayalam conjuncts);
- ZERO WIDTH NON-JOINER after a virama, or between two letters of a cursive-joining script
  (RFC 5892's joining-context rule: Persian "می‌شود"). Unicode's Joining_Type is not in
  Python's `unicodedata`: the script, read from the character's name, stands in for it.

Everywhere else a joiner is as invisible as any other format character, and refused.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"
ZWJ = "\u200d"
_VIRAMA = 9  # canonical combining class of viramas
# Lone surrogates cannot be encoded as UTF-8 (no database stores them); controls no name or
# id needs, and PostgreSQL cannot store NUL.
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# Scripts whose letters join cursively, where ZWNJ chooses a letter's form.
_JOINING_SCRIPTS = (
    "ARABIC",
    "SYRIAC",
    "NKO",
    "MANDAIC",
    "MONGOLIAN",
    "PHAGS-PA",
    "ADLAM",
    "HANIFI ROHINGYA",
    "SOGDIAN",
    "MANICHAEAN",
    "PSALTER PAHLAVI",
    "CHORASMIAN",
)
# Characters that may stand between an emoji and a joiner: variation selectors and the
# skin-tone modifiers.
_EMOJI_TAIL = frozenset(["\ufe0e", "\ufe0f", *map(chr, range(0x1F3FB, 0x1F400))])


def unstorable(value: str) -> bool:
    """Whether the text holds a control character or a lone surrogate."""
    return _UNSTORABLE.search(value) is not None


def misleading(value: str) -> str | None:
    """The first character that would make the text display as something it is not: a format
    character out of the contexts above, or a line or paragraph separator; None if there is
    none. (Call `unstorable` first: controls and surrogates are not looked for here.)"""
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            return char
        if category == "Cf" and not _joiner_in_context(value, index):
            return char
    return None


def _joiner_in_context(value: str, index: int) -> bool:
    char = value[index]
    if char not in (ZWJ, ZWNJ) or index == 0 or index == len(value) - 1:
        return False
    before, after = value[index - 1], value[index + 1]
    if unicodedata.combining(before) == _VIRAMA:
        return True
    if char == ZWJ:
        return _is_emoji(_emoji_base(value, index)) and _is_emoji(after)
    return _joins(_letter_before(value, index)) and _joins(_letter_after(value, index))


def _emoji_base(value: str, index: int) -> str:
    """The emoji a joiner follows, past its variation selector and skin-tone modifier."""
    position = index - 1
    while position > 0 and value[position] in _EMOJI_TAIL:
        position -= 1
    return value[position]


def _is_emoji(char: str) -> bool:
    # Pictographs are "other symbols" from the General Punctuation block on (❤ U+2764,
    # 🔥 U+1F525…); letters, digits and ASCII symbols are not.
    return unicodedata.category(char) == "So" and ord(char) >= 0x2000


def _letter_before(value: str, index: int) -> str:
    """The letter before a joiner, past transparent combining marks (vowel signs)."""
    position = index - 1
    while position > 0 and unicodedata.category(value[position]) in ("Mn", "Me"):
        position -= 1
    return value[position]


def _letter_after(value: str, index: int) -> str:
    position = index + 1
    while position < len(value) - 1 and unicodedata.category(value[position]) in ("Mn", "Me"):
        position += 1
    return value[position]


def _joins(char: str) -> bool:
    if not unicodedata.category(char).startswith("L"):
        return False
    return unicodedata.name(char, "").startswith(_JOINING_SCRIPTS)
