"""The messages of the call sockets: limits, the checks on what a page sends, and the shapes of
what the server sends back (docs/products/calls.md, "Signalling")."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from portero.calls.ws import schemas
from portero.kit.clock import iso_utc

HEARTBEAT_SECONDS = 5.0
HELLO_SECONDS = 10.0
MAX_MESSAGE_CHARS = 64 * 1024
# Close codes (docs/products/calls.md, "Close codes"): the page stops reconnecting on each.
CLOSE_UNAUTHORISED = 4401  # the play session ended, expired or was revoked
CLOSE_FORBIDDEN = 4403  # the partner was disabled or lost the product; or not this product
CLOSE_CALL_TAKEN = 4409  # the link's call is live in another browser
# Relayed from one party to the other, never stored.
RELAYED = ("signal", "chat", "ready", "media")
# A customer's relayed message that finds no call connected makes the socket read its state
# again (it may have overtaken the news that the call has just connected), at most this often:
# a page that sends while it waits cannot make every frame a database round trip.
RELAY_REREAD_SECONDS = 1.0

Message = dict[str, Any]
Side = Literal["customer", "agent", "supervisor"]


class Refused(Exception):
    """A message the socket does not accept; answered with an error, the socket stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error(code: str, message: str) -> Message:
    return {"type": "error", "code": code, "message": message}


def unavailable() -> Message:
    """The message could not be passed on (the bus between servers is down): send it again."""
    return {
        "type": "error",
        "code": "unavailable",
        "retryable": True,
        "message": "The message could not be delivered right now; send it again shortly.",
    }


def welcome(
    side: Side, ice_servers: list[dict[str, Any]], *, file_max_bytes: int | None = None,
    **extra: Any,
) -> Message:  # fmt: skip
    """The first message: the page's role, its heartbeat, its ICE servers and, for the call's
    two parties, how large a file it may send in the chat (calls/files.py)."""
    message: Message = {
        "type": "welcome",
        "role": side,
        **extra,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "ice_servers": ice_servers,
    }
    if file_max_bytes is not None:
        message["file_max_bytes"] = file_max_bytes
    return message


def parse(raw: str) -> Message:
    """A JSON object with a string `type`, within the size limit, and (for the types the sockets
    know) as its schema in schemas.py reads it."""
    if len(raw) > MAX_MESSAGE_CHARS:
        raise Refused("too_large", "Messages are limited to 64 KiB.")
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python parses
        raise Refused("malformed", "Messages are JSON objects.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise Refused("malformed", "Messages are JSON objects with a type.")
    try:
        return schemas.validated(message) or message
    except schemas.NotFitting as unfit:
        raise Refused(unfit.code, str(unfit)) from None


def relayed(message: Message, *, call_id: str, side: Side, now: datetime) -> Message:
    """What the other party receives of a `signal`, `chat`, `ready` or `media` message."""
    kind = message["type"]
    out: Message = {"type": kind, "call_id": call_id, "from": side}
    if kind == "signal":
        out["data"] = _signal_data(message)
    elif kind == "chat":
        out |= {"text": _chat_text(message), "at": iso_utc(now)}
    elif kind == "media":
        # Checked by its schema, which fills in `screen` for a page that leaves it out.
        out |= {"audio": message["audio"], "video": message["video"], "screen": message["screen"]}
    return out


def call_id_of(message: Message) -> str:
    call_id = message.get("call_id")
    if not isinstance(call_id, str) or not 0 < len(call_id) <= 40:
        raise Refused("malformed", "This message needs a call_id.")
    return call_id


def _chat_text(message: Message) -> str:
    text = str(message.get("text", "")).strip()  # its schema has checked the type and length
    if not text:
        raise Refused("malformed", "A chat message needs a text.")
    return text


def _signal_data(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = message["data"]  # rebuilt from the schema: nothing else got through
    return data
