"""Public identifiers: a prefix plus a time-ordered, random, URL-safe body (ULID layout).

Ordering by the identifier orders by creation time, which is what cursor pagination needs, and
the 80 random bits make identifiers unguessable enough not to invite enumeration.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


LAUNCH_ID_PATTERN = r"^lnch_[0-9a-z]{26}$"
_LAUNCH_ID = re.compile(LAUNCH_ID_PATTERN)


def is_launch_id(value: str) -> bool:
    return bool(_LAUNCH_ID.match(value))


def new_id(prefix: str) -> str:
    millis = time.time_ns() // 1_000_000
    return f"{prefix}_{_encode(millis, 10)}{_encode(secrets.randbits(80), 16)}"


def lowest_id_at(prefix: str, moment: datetime) -> str:
    """The lowest id `new_id(prefix)` can make at `moment`: every id made before it sorts
    below (a range on the primary key instead of a scan on a time column)."""
    millis = int(moment.timestamp() * 1000)
    return f"{prefix}_{_encode(millis, 10)}{'0' * 16}"


# A partner's id as the seed APIs send it (ClientId, MEMB_ID): ASCII digits, few enough for a
# 64-bit integer. (str.isdigit() also accepts "²" and "٣", which int() then refuses, and int()
# refuses more than 4,300 digits.)
_PARTNER_NUMBER = re.compile(r"[0-9]{1,18}")


def partner_number(text: str) -> int | None:
    """The partner id written in `text`, or None if it is not one."""
    return int(text) if _PARTNER_NUMBER.fullmatch(text) else None
