"""Field types shared by every API: each dialect validates a player the same way.

Each `Annotated` type normalises its value (lower-case language, upper-case currency, E.164
phone number) so that the same person sent through two APIs is stored identically.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from portero.kit import text


@cache
def iso_languages() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@cache
def iso_currencies() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def check_language(value: str) -> str:
    code = value.strip().lower()
    if code not in iso_languages():
        raise ValueError("must be an ISO 639-1 two-letter language code")
    return code


def check_currency(value: str) -> str:
    code = value.strip().upper()
    if code not in iso_currencies():
        raise ValueError("must be an ISO 4217 three-letter currency code")
    return code


def check_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"is not a valid e-mail address ({error})") from None


def check_cellphone(value: str) -> str:
    """An international number (leading +), stored in E.164."""
    try:
        number = phonenumbers.parse(value.strip(), None)
    except phonenumbers.NumberParseException:
        raise ValueError("must be an international phone number such as +34600123456") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def check_http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return value.strip()


# A CSP source expression for frame-ancestors: scheme://host[:port], with an optional leading
# `*.` wildcard label. Nothing that could close the header value (spaces, `;`, `,`, quotes).
_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?$", re.IGNORECASE)


def check_origin(value: str) -> str:
    origin = value.strip().rstrip("/")
    if not _ORIGIN.match(origin):
        raise ValueError("must be an origin such as https://casino.example or https://*.example")
    return origin.lower()


def check_printable(value: str) -> str:
    """No control characters (PostgreSQL cannot store NUL, and no name or id needs them) and
    no lone surrogates (not encodable: no database stores them)."""
    if text.unstorable(value):
        raise ValueError("must not contain control characters or unpaired surrogates")
    return value


def check_display_text(value: str) -> str:
    """Text a person reads (names, nicknames, tickets): printable, and nothing that makes it
    display as something else (bidi controls, invisible format characters; see kit/text.py)."""
    check_printable(value)
    found = text.misleading(value)
    if found is not None:
        raise ValueError(
            f"must not contain invisible or direction-changing characters (U+{ord(found):04X})"
        )
    return value


Language = Annotated[
    str,
    AfterValidator(check_language),
    WithJsonSchema({"type": "string", "pattern": "^[a-zA-Z]{2}$"}),
]
Currency = Annotated[
    str,
    AfterValidator(check_currency),
    WithJsonSchema({"type": "string", "pattern": "^[a-zA-Z]{3}$"}),
]
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(check_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
Cellphone = Annotated[
    str,
    StringConstraints(max_length=32),
    AfterValidator(check_cellphone),
    WithJsonSchema({"type": "string", "pattern": r"^\+[0-9 ().-]{6,31}$"}),
]
HttpUrl = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(check_printable),
    AfterValidator(check_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": 2000}),
]
Origin = Annotated[str, StringConstraints(max_length=255), AfterValidator(check_origin)]


Printable = AfterValidator(check_printable)
# For text shown to agents and players: printable, and displayed as what it is.
Displayable = AfterValidator(check_display_text)
