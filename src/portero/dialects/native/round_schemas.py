"""The native API's rounds: what a partner reconciles against its books (amounts in minor
units, like every native amount)."""

from __future__ import annotations

from portero.dialects.native.schemas import ListPage
from portero.rounds.schemas import RoundOut


class RoundList(ListPage[RoundOut]):
    url: str = "/v1/rounds"
