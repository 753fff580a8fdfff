from portero.kit.errors import PorteroError


class CategoryNotFound(PorteroError):
    default_message = "No such category for this partner."


class AgentNotFound(PorteroError):
    default_message = "No such agent for this partner."
