from portero.kit.errors import PorteroError


class PlayerNotFound(PorteroError):
    default_message = "No such player."
