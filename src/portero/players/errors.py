from portero.kit.errors import PorteroError


class PlayerNotFound(PorteroError):
    default_message = "No such player."


class PlayerNotRegistered(PorteroError):
    """The player record could not be written (seed 000's "Error Create User")."""

    default_message = "The player could not be registered."
