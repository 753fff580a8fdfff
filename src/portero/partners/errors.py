from portero.kit.errors import PorteroError, Unauthenticated


class AuthenticationFailed(Unauthenticated):
    """No token, an unknown or revoked token, or a token of another partner than the one named."""

    default_message = "Invalid partner credentials."


class PartnerDisabled(PorteroError):
    default_message = "This partner account is disabled."


class PartnerNotConfigured(PorteroError):
    default_message = "This partner account has not been configured to launch products yet."


class ProductNotAllowed(PartnerNotConfigured):
    """Configured, but not for this product: the same failure for seed 000 (508)."""

    default_message = "This partner account is not configured to launch this product."


class PartnerNotFound(PorteroError):
    default_message = "No such partner."


class PartnerTokenNotFound(PorteroError):
    default_message = "No such token for this partner."
