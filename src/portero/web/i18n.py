"""Page texts in English, Spanish, Japanese, Chinese and Korean (the launch's language picks),
one catalogue per language in `locales/<language>.json`.

The catalogues are flat JSON objects of keyed texts (`"slot.rtp": "Return to player"`) rather
than gettext catalogues: the same texts serve the templates and, as they are, the pages'
scripts, which fill their `{placeholders}` themselves; a keyed JSON object needs no compile
step, is what the scripts receive anyway, and is a format translation tools read and write.

Every language has every key, with the same `{placeholders}` as English (tests/web/test_i18n.py
holds the catalogues to that). `texts` still fills a key a catalogue lacks from English, and
answers a language Portero does not speak in English.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

SUPPORTED = ("en", "es", "ja", "zh", "ko")
LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """The texts translated into `language`, as its file has them."""
    with (LOCALES / f"{language}.json").open(encoding="utf-8") as file:
        texts: dict[str, str] = json.load(file)
    return MappingProxyType(texts)


def pick_language(preferred: str | None, accept_language: str | None = None) -> str:
    if preferred in SUPPORTED:
        return preferred
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED:
            return code
    return "en"


def texts(language: str) -> Mapping[str, str]:
    """Every text in `language`, key by key falling back to English (English for a language
    Portero does not speak)."""
    return _merged(language if language in SUPPORTED else "en")


@cache
def _merged(language: str) -> Mapping[str, str]:
    return MappingProxyType({**catalogue("en"), **catalogue(language)})


def texts_with_prefix(language: str, prefix: str) -> dict[str, str]:
    """The texts a page's script needs (keys without the prefix)."""
    return {k.removeprefix(prefix): v for k, v in texts(language).items() if k.startswith(prefix)}
