"""Network and server faults the sandbox can inject, so that a caller's retries, cancels of
unknown debits and reconciliation can be watched doing their work.

Each kind says whether the request was applied before things went wrong, because that is what
a caller cannot know and must find out: a timeout or an HTTP 500 *after* applying means the
money moved although the caller saw a failure. A `FaultPlan` draws, per call, whether a fault
happens (probability `rate`) and which (uniformly among `kinds`), from a seeded
`random.Random`, so a test or a demo with the same seed sees the same faults.
"""

from __future__ import annotations

import enum
import logging
import random
from dataclasses import dataclass, field

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from portero.wallet.onewallet import wire


class FaultKind(enum.StrEnum):
    timeout_before = "timeout-before"  # hang, apply nothing, then drop the connection
    timeout_after = "timeout-after"  # apply, then hang before answering
    http_500_before = "500-before"  # HTTP 500, nothing applied
    http_500_after = "500-after"  # apply, then HTTP 500
    dropped_connection = "drop"  # apply, then a reply cut short: the connection closes mid-body
    garbage = "garbage"  # apply, then a 200 whose body is not JSON
    reply_twice = "twice"  # the request arrives twice: applied once, the repeat's answer returned


BEFORE_APPLYING = frozenset({FaultKind.timeout_before, FaultKind.http_500_before})
# Names that stand for several kinds on the command line (`--fault-kinds timeout,500`).
KIND_GROUPS = {
    "timeout": (FaultKind.timeout_before, FaultKind.timeout_after),
    "500": (FaultKind.http_500_before, FaultKind.http_500_after),
}
DEFAULT_HANG_SECONDS = 5.0


def parse_kinds(text: str) -> tuple[FaultKind, ...]:
    """`timeout,drop,500-after` → the kinds, in their declared order; ValueError names an
    unknown one."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    chosen = {kind for name in names for kind in _kinds_named(name)}
    if not chosen:
        raise ValueError("no fault kind given")
    return tuple(kind for kind in FaultKind if kind in chosen)


def _kinds_named(name: str) -> tuple[FaultKind, ...]:
    if name in KIND_GROUPS:
        return KIND_GROUPS[name]
    try:
        return (FaultKind(name),)
    except ValueError:
        known = ", ".join([*KIND_GROUPS, *FaultKind])
        raise ValueError(f"unknown fault kind {name!r} (known: {known})") from None


@dataclass
class FaultPlan:
    """Which calls fail, and how. `methods` are the One Wallet methods faults may hit (the
    money ones by default; never the `/_sandbox/` admin API); `hang_seconds` is how long the
    timeouts hang."""

    rate: float
    kinds: tuple[FaultKind, ...] = tuple(FaultKind)
    methods: frozenset[str] = frozenset(wire.MONEY_METHODS)
    hang_seconds: float = DEFAULT_HANG_SECONDS
    seed: int | None = None
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError("the fault rate is a probability, from 0 to 1")
        if not self.kinds:
            raise ValueError("a fault plan needs at least one kind")
        if unknown := self.methods - set(wire.METHODS):
            raise ValueError(f"not One Wallet methods: {', '.join(sorted(unknown))}")
        if self.hang_seconds < 0:
            raise ValueError("hang_seconds cannot be negative")
        # Reproducible faults, not secrets: a seeded generator is what is wanted here.
        self._random = random.Random(self.seed)  # noqa: S311

    def draw(self, method: str) -> FaultKind | None:
        """The fault for this call of `method`, or None (most calls, unless rate is 1)."""
        if method not in self.methods or self.rate == 0:
            return None
        if self._random.random() >= self.rate:
            return None
        return self._random.choice(self.kinds)


class DroppedOnPurpose(Exception):
    """Raised mid-reply so that the server closes the connection: the injected fault."""


class CutShortReply(Response):
    """A reply that announces more body than it sends, sends part of it, then fails so that
    the server closes the connection: the caller sees a broken reply, not a short one."""

    def __init__(self, body: bytes) -> None:
        super().__init__(content=body, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = str(len(self.body) + 64).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", declared)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        part = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": part, "more_body": True})
        raise DroppedOnPurpose("sandbox fault: connection dropped mid-reply")


def server_error(applied: bool) -> Response:
    state = "after applying the request" if applied else "before applying anything"
    return Response(f"sandbox fault: HTTP 500 {state}\n", status_code=500, media_type="text/plain")


def garbage() -> Response:
    """A 200 labelled JSON whose body is not: a caller must not read it as an answer."""
    return Response(b"<html>sandbox fault: not JSON", media_type="application/json")


class QuietDroppedConnections(logging.Filter):
    """Turns the server's error and traceback for an injected dropped connection into a
    one-line warning: it is the sandbox doing what it was asked, not a bug to investigate."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DroppedOnPurpose):
            record.msg, record.args, record.exc_info = f"{error}", (), None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_dropped_connections(logger_name: str = "uvicorn.error") -> None:
    """Install the filter once on the server's error logger."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(known, QuietDroppedConnections) for known in logger.filters):
        logger.addFilter(QuietDroppedConnections())
