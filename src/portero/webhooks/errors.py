from __future__ import annotations

from portero.kit.errors import PorteroError


class WebhookError(PorteroError):
    """The webhook endpoints' errors: only the native API reaches them."""


class EndpointNotFound(WebhookError):
    default_message = "No such webhook endpoint."


class EventNotFound(WebhookError):
    """No event of this id was delivered to this endpoint."""

    default_message = "No such event for this webhook endpoint."


class DeliveryInFlight(WebhookError):
    """The delivery is being tried right now: ask again once the try is recorded."""

    default_message = "This event is being delivered right now; retry shortly."
