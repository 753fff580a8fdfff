"""The shape of every message a call page may send, checked before anything is acted on,
relayed or stored (docs/products/calls.md, "Signalling").

The limits keep one party from hurting the other: what is relayed is rebuilt from these models,
never passed through, so nothing deeper, larger or stranger than they allow reaches the other
socket (a WebRTC signal is an offer or answer of a few kilobytes, or one ICE candidate).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

MAX_SDP_CHARS = 32 * 1024
MAX_CANDIDATE_CHARS = 1024
MAX_CHAT_CHARS = 2000
MAX_NOTE_CHARS = 500

Token = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CallId = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SessionDescription(_Strict):
    """RTCSessionDescription.toJSON()."""

    type: Literal["offer", "answer", "pranswer", "rollback"]
    sdp: Annotated[str, StringConstraints(max_length=MAX_SDP_CHARS)] = ""


class IceCandidate(_Strict):
    """RTCIceCandidate.toJSON() (an empty `candidate` says there are no more)."""

    candidate: Annotated[str, StringConstraints(max_length=MAX_CANDIDATE_CHARS)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=1024)] | None = None
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None


class SignalData(_Strict):
    """One WebRTC signal: the description or the candidate of the connection `peer`."""

    peer: Token
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SignalData:
        if (self.description is None) == (self.candidate is None):
            raise ValueError("a signal carries a description or a candidate")
        return self


class _Incoming(BaseModel):
    # The envelope tolerates fields it does not know (an older or newer page); what is acted on
    # or relayed is only what the model declares.
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    call_id: CallId | None = None  # the console says which of its calls


class Bare(_Incoming):
    """ping, ready, hangup, accept, reject, transcript, directory: nothing but the type (and,
    on the console, the call)."""

    type: Literal["ping", "ready", "hangup", "accept", "reject", "transcript", "directory"]


class SetPresence(_Incoming):
    type: Literal["presence"]
    presence: Literal["offline", "available", "busy"]


class Chat(_Incoming):
    type: Literal["chat"]
    text: Annotated[str, StringConstraints(max_length=MAX_CHAT_CHARS)]


class Signal(_Incoming):
    type: Literal["signal"]
    data: SignalData


# A page's microphone and camera: "on", "off" (muted, camera turned off) or "none" (no such
# device, or its use refused).
MediaState = Literal["on", "off", "none"]


class Media(_Incoming):
    """What the other party can expect of this page's media (its badges, the initials tile,
    the "use the chat" hint, its shared screen)."""

    type: Literal["media"]
    audio: MediaState
    video: MediaState
    # Whether the page shares its screen (call-screen.js); left out by a page that cannot.
    screen: Literal["on", "off"] = "off"


class Transfer(_Incoming):
    """The agent hands the call over to another agent or to a category (calls/transfers.py)."""

    type: Literal["transfer"]
    agent: Code | None = None
    category: Code | None = None
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Transfer:
        if (self.agent is None) == (self.category is None):
            raise ValueError("a transfer goes to an agent or to a category")
        return self


class CallbackDone(_Incoming):
    """The agent has called the customer back (calls/callbacks.py)."""

    type: Literal["callback_done"]
    callback_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]


_SCHEMAS: dict[str, type[_Incoming]] = {
    **dict.fromkeys(
        ("ping", "ready", "hangup", "accept", "reject", "transcript", "directory"), Bare
    ),
    "transfer": Transfer,
    "presence": SetPresence,
    "chat": Chat,
    "signal": Signal,
    "media": Media,
    "callback_done": CallbackDone,
}


class NotFitting(ValueError):
    """A message outside its schema; `code` is `too_large` for a value over its limit,
    `malformed` otherwise."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def validated(message: dict[str, Any]) -> dict[str, Any] | None:
    """The message as its schema reads it (unknown types: None, for the handler table to refuse).
    Raises NotFitting when it does not fit."""
    schema = _SCHEMAS.get(message["type"])
    if schema is None:
        return None
    try:
        return schema.model_validate(message).model_dump(exclude_none=True)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        code = "too_large" if first["type"] == "string_too_long" else "malformed"
        raise NotFitting(code, f"{where}: {first['msg']}") from None
