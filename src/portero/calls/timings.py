"""The clocks of the call product, from settings (tests build their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portero.settings import Settings


@dataclass(frozen=True, slots=True)
class CallTimings:
    # An offer rings this long before it goes to the next agent.
    offer: timedelta = timedelta(seconds=20)
    # A customer nobody has answered after this long is told so; the call is kept as missed.
    wait: timedelta = timedelta(seconds=120)
    # A console or a customer page silent this long is gone (offline / abandoned / dropped).
    grace: timedelta = timedelta(seconds=20)
    # A live socket checks that its play session is still good at least this often.
    revalidate: timedelta = timedelta(seconds=5)

    @classmethod
    def of(cls, settings: Settings) -> CallTimings:
        return cls(
            offer=timedelta(seconds=settings.call_offer_seconds),
            wait=timedelta(seconds=settings.call_wait_seconds),
            grace=timedelta(seconds=settings.call_presence_grace_seconds),
            revalidate=timedelta(seconds=settings.call_revalidate_seconds),
        )
