from __future__ import annotations

from portero.kit.errors import PorteroError


class BetNotOffered(PorteroError):
    """A bet that is not one of the game's bet levels in the session's currency."""


class GameUnavailable(PorteroError):
    """The session is not for a slot game, or its game or currency is not offered."""

    default_message = "This play session has no slot game to play."


class SpinIdReused(PorteroError):
    default_message = "This spin id was already played with another bet; use a new id."
