"""Every table, imported in one place for Alembic and for metadata-wide operations."""

from portero.kit.db import Base
from portero.launches.models import Launch, PlaySession
from portero.partners.models import Partner, PartnerToken
from portero.players.models import Player

metadata = Base.metadata

__all__ = ["Launch", "Partner", "PartnerToken", "PlaySession", "Player", "metadata"]
