from __future__ import annotations

from dataclasses import dataclass

from portero.kit.errors import PorteroError, Unauthenticated


@dataclass(frozen=True)
class LinkContext:
    """What a page about an unusable link needs: the player's language and the partner's
    iframe origins (so that the page still shows inside the partner's frame)."""

    language: str
    frame_ancestors: tuple[str, ...]
    return_url: str | None


class LaunchNotFound(PorteroError):
    default_message = "No such launch."


class LinkUnusable(PorteroError):
    """A launch link that exists but cannot be used (anymore)."""

    def __init__(self, message: str | None = None, *, context: LinkContext | None = None) -> None:
        super().__init__(message)
        self.context = context


class LaunchExpired(LinkUnusable):
    default_message = "This link has expired."


class LaunchRevoked(LinkUnusable):
    default_message = "This link has been revoked by the operator."


class LinkWithdrawn(LaunchRevoked):
    """The link's partner was disabled or may no longer offer its product: refused like a
    revoked link (the same page, with the way back), whatever state the link is in."""

    default_message = "This link can no longer be used: the product is not available."


class LaunchAlreadyUsed(LinkUnusable):
    default_message = "This link has already been used."


class CallEnded(LaunchAlreadyUsed):
    """A call link whose call has taken place: reported like a used link, worded for it."""

    default_message = "The call of this link has ended."


class CallInProgress(LinkUnusable):
    """A call link opened while its call is live in another browser (the one that started it
    owns it): HTTP 409 and a page saying so."""

    default_message = "The call of this link is already in progress on another device."


class LaunchNotRevocable(PorteroError):
    default_message = "Only an issued or opened launch can be revoked."


class IdempotencyKeyReused(PorteroError):
    default_message = (
        "This request id was already used with different parameters; "
        "use a new id for a new request."
    )


class SessionInvalid(Unauthenticated):
    """No play session for that bearer (never existed, or its launch was revoked)."""

    default_message = "This play session is not valid."


class SessionExpired(Unauthenticated):
    default_message = "This play session has expired."


class SessionWithdrawn(SessionExpired):
    """The play session's partner was disabled or lost the product: the session is over, and
    every API answers as for an expired one (the page shows its ended state)."""

    default_message = "This play session has ended: the product is no longer available."


class SessionTimeLimitReached(SessionExpired):
    """The session time limit the partner set at launch has passed (launches/limits.py)."""

    default_message = "This play session has ended: its time limit has been reached."


class SessionLossLimitReached(SessionExpired):
    """The session's net loss reached the loss limit the partner set at launch."""

    default_message = "This play session has ended: its loss limit has been reached."


class SessionTerminated(SessionExpired):
    """The partner ended every session of the player (POST /v1/players/{id}/terminate)."""

    default_message = "This play session has been ended by the operator."
