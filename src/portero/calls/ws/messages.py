"""The messages of the call sockets: limits, the checks on what a page sends, and the shapes of
what the server sends back (docs/products/calls.md, "Signalling")."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from portero.kit.clock import iso_utc

HEARTBEAT_SECONDS = 5.0
HELLO_SECONDS = 10.0
MAX_MESSAGE_CHARS = 64 * 1024
MAX_CHAT_CHARS = 2000
CLOSE_UNAUTHORISED = 4401
CLOSE_WRONG_PRODUCT = 4403
# Relayed from one party to the other, never stored.
RELAYED = ("signal", "chat", "ready")

Message = dict[str, Any]
Side = Literal["customer", "agent"]


class Refused(Exception):
    """A message the socket does not accept; answered with an error, the socket stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error(code: str, message: str) -> Message:
    return {"type": "error", "code": code, "message": message}


def welcome(side: Side, ice_servers: list[dict[str, Any]], **extra: Any) -> Message:
    return {
        "type": "welcome",
        "role": side,
        **extra,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "ice_servers": ice_servers,
    }


def parse(raw: str) -> Message:
    """A JSON object with a string `type`, within the size limit."""
    if len(raw) > MAX_MESSAGE_CHARS:
        raise Refused("too_large", "Messages are limited to 64 KiB.")
    try:
        message = json.loads(raw)
    except ValueError:
        raise Refused("malformed", "Messages are JSON objects.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise Refused("malformed", "Messages are JSON objects with a type.")
    return message


def relayed(message: Message, *, call_id: str, side: Side, now: datetime) -> Message:
    """What the other party receives of a `signal`, `chat` or `ready` message."""
    kind = message["type"]
    out: Message = {"type": kind, "call_id": call_id, "from": side}
    if kind == "signal":
        out["data"] = _signal_data(message)
    elif kind == "chat":
        out |= {"text": _chat_text(message), "at": iso_utc(now)}
    return out


def call_id_of(message: Message) -> str:
    call_id = message.get("call_id")
    if not isinstance(call_id, str) or not 0 < len(call_id) <= 40:
        raise Refused("malformed", "This message needs a call_id.")
    return call_id


def _chat_text(message: Message) -> str:
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused("malformed", "A chat message needs a text.")
    if len(text) > MAX_CHAT_CHARS:
        raise Refused("too_large", f"Chat messages are limited to {MAX_CHAT_CHARS} characters.")
    return text.strip()


def _signal_data(message: Message) -> dict[str, Any]:
    data = message.get("data")
    if not isinstance(data, dict):
        raise Refused("malformed", "A signal carries a data object.")
    return data
