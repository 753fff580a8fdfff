"""The page texts: one catalogue per language, each complete and translated."""

from __future__ import annotations

import re

import pytest

from portero.web.i18n import (
    LOCALES,
    SUPPORTED,
    catalogue,
    pick_language,
    texts,
    texts_with_prefix,
)

ENGLISH = catalogue("en")
OTHERS = [language for language in SUPPORTED if language != "en"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A text may read as in English when it has no words (numbers, odds: "1-18", "2:1"), or when
# the word is the one the language uses too; those are listed here, key by key.
SAME_AS_ENGLISH: dict[str, frozenset[str]] = {
    "es": frozenset(
        {
            "roulette.nonce",
            "replay.nonce",
            "slot.scatter_win",
            "slot.autoplay_short",
            "replay.scatter_win",
            "call.chat",
            "console.ticket",
        }
    ),
}
# The letters of each language's own script; a text of words has some (Latin letters alone in a
# Japanese, Chinese or Korean text are English left over).
SCRIPT = {
    "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ko": re.compile(r"[\uac00-\ud7a3]"),
}
LETTERS = re.compile(r"[A-Za-z]")


def words(text: str) -> str:
    return PLACEHOLDER.sub("", text)


def test_there_is_one_catalogue_per_supported_language() -> None:
    assert {path.stem for path in LOCALES.glob("*.json")} == set(SUPPORTED)
    assert len(ENGLISH) > 150


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_every_key_of_english_and_no_other(language: str) -> None:
    translated = set(catalogue(language))
    assert not translated - set(ENGLISH), "keys English does not have"
    assert not set(ENGLISH) - translated, f"{language} lacks these keys"


@pytest.mark.parametrize("language", OTHERS)
def test_translations_keep_the_placeholders_of_the_english_text(language: str) -> None:
    for key, text in catalogue(language).items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ENGLISH[key])), key


@pytest.mark.parametrize("language", OTHERS)
def test_no_text_is_left_in_english(language: str) -> None:
    allowed = SAME_AS_ENGLISH.get(language, frozenset())
    same = {
        key
        for key, text in catalogue(language).items()
        if text == ENGLISH.get(key) and LETTERS.search(words(text))
    }
    assert not same - allowed, f"{language} has these texts in English"
    assert allowed <= set(ENGLISH), "the list names keys English does not have"


@pytest.mark.parametrize("language", sorted(SCRIPT))
def test_texts_of_words_are_written_in_the_languages_script(language: str) -> None:
    latin_only = {
        key
        for key, text in catalogue(language).items()
        if LETTERS.search(words(text)) and not SCRIPT[language].search(text)
    }
    assert not latin_only, f"{language} has these texts in Latin letters only"


def test_every_language_speaks_every_page() -> None:
    for language in OTHERS:
        assert texts(language) == catalogue(language)
    japanese = texts("ja")
    assert japanese["slot.spin"] == catalogue("ja")["slot.spin"] != ENGLISH["slot.spin"]
    assert japanese["roulette.spin"] == catalogue("ja")["roulette.spin"] != ENGLISH["roulette.spin"]
    assert texts_with_prefix("ko", "console.")["accept"] == catalogue("ko")["console.accept"]
    assert texts_with_prefix("es", "call.")["hang_up"] == catalogue("es")["call.hang_up"]


def test_a_language_portero_does_not_speak_is_answered_in_english() -> None:
    assert texts("xx") == ENGLISH


def test_the_language_is_the_launchs_then_the_browsers_then_english() -> None:
    assert pick_language("ja", "es-ES,es;q=0.9") == "ja"
    assert pick_language(None, "fr-FR, ko;q=0.8") == "ko"
    assert pick_language("xx", "fr") == "en"
