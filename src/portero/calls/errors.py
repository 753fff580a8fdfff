from portero.kit.errors import (
    PayloadTooLarge,
    PorteroError,
    StorageUnavailable,
    UnsupportedMediaType,
)


class CategoryNotFound(PorteroError):
    default_message = "No such category for this partner."


class AgentNotFound(PorteroError):
    default_message = "No such agent for this partner."


class CallNotFound(PorteroError):
    default_message = "No such call for this partner."


class OfferGone(PorteroError):
    """Accepting or rejecting an offer that is no longer ringing on this agent's console."""

    default_message = "This call is no longer offered to you."


class CallNotActive(PorteroError):
    default_message = "This call is not in progress."


class NotAnAgentConsole(PorteroError):
    default_message = "This session is not an agent console."


class NotACallSession(PorteroError):
    default_message = "This session is not a call link."


class CallTaken(PorteroError):
    """The link's call is in progress in another browser: only the play session that started it
    may join it while it is open."""

    default_message = "This call is already in progress on another device."


class CallNotRatable(CallNotActive):
    """A rating for a call that cannot take one: not completed, already rated, or ended too
    long ago (calls/satisfaction.py)."""

    default_message = "Only a completed call can be rated, once, within a day of its end."


class CallbackNotFound(PorteroError):
    default_message = "No such callback request for this partner."


class CallbackNotAllowed(CallNotActive):
    """A callback request from a page whose call cannot take one: not missed, too long ago,
    or asked for already (calls/callbacks.py)."""

    default_message = (
        "A callback can be requested once, from the page of a call nobody answered, "
        "within a day of it."
    )


class NotAWallboard(NotAnAgentConsole):
    default_message = "This session is not a wallboard."


class TransferPending(CallNotActive):
    """A transfer of this call rings already: one at a time (calls/transfers.py)."""

    default_message = "This call is being transferred already."


class TransferUnavailable(CallNotActive):
    """Nobody can take the transfer now: the agent is not available (or has no room, or has a
    call ringing), or nobody of the category is."""

    default_message = "Nobody can take this call right now; it stays with you."


class FileNotFound(CallNotFound):
    default_message = "No such file in this call."


class FileRefused(UnsupportedMediaType):
    """A file whose content is not an image or a PDF (calls/files.py), whatever it is named."""

    default_message = "Only images (PNG, JPEG, GIF, WebP) and PDF documents can be sent."


class FileTooLarge(PayloadTooLarge):
    default_message = "The file is larger than this service accepts."


class FilesUnavailable(StorageUnavailable):
    """The file store could not be reached: try again shortly."""

    default_message = "Files cannot be sent or read right now; try again shortly."
    retry_after = 2
