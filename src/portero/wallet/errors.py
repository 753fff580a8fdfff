from __future__ import annotations

from portero.kit.errors import PorteroError


class InsufficientFunds(PorteroError):
    default_message = "The balance does not cover this stake."
