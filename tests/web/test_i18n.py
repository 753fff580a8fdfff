"""The page texts: one catalogue per language, each complete but for its listed fallbacks."""

from __future__ import annotations

import re

import pytest

from portero.web.i18n import (
    ENGLISH_FALLBACK,
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


def test_there_is_one_catalogue_per_supported_language() -> None:
    assert {path.stem for path in LOCALES.glob("*.json")} == set(SUPPORTED)
    assert len(ENGLISH) > 150


@pytest.mark.parametrize("language", OTHERS)
def test_every_key_is_translated_or_falls_back_by_a_listed_group(language: str) -> None:
    translated = set(catalogue(language))
    fallback = ENGLISH_FALLBACK.get(language, ())
    assert translated <= set(ENGLISH), "keys English does not have"
    missing = set(ENGLISH) - translated
    unlisted = {key for key in missing if not key.startswith(fallback)}
    assert not unlisted, f"{language} lacks these keys and does not list them as a fallback"
    for prefix in fallback:
        # A listed group is wholly in English: a half-translated group is not hidden here.
        assert any(key.startswith(prefix) for key in ENGLISH), prefix
        assert not any(key.startswith(prefix) for key in translated), (language, prefix)


@pytest.mark.parametrize("language", OTHERS)
def test_translations_keep_the_placeholders_of_the_english_text(language: str) -> None:
    for key, text in catalogue(language).items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ENGLISH[key])), key


def test_a_language_falls_back_to_english_key_by_key() -> None:
    japanese = texts("ja")
    assert japanese["slot.spin"] == catalogue("ja")["slot.spin"] != ENGLISH["slot.spin"]
    assert japanese["roulette.spin"] == ENGLISH["roulette.spin"]  # a listed fallback
    assert texts("xx") == ENGLISH
    assert texts_with_prefix("es", "call.")["hang_up"] == catalogue("es")["call.hang_up"]


def test_the_language_is_the_launchs_then_the_browsers_then_english() -> None:
    assert pick_language("ja", "es-ES,es;q=0.9") == "ja"
    assert pick_language(None, "fr-FR, ko;q=0.8") == "ko"
    assert pick_language("xx", "fr") == "en"
