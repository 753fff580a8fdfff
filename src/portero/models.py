"""Every table, imported in one place for Alembic and for metadata-wide operations."""

from portero.calls.models import Call, CallAgent, CallCategory, CallOffer, agent_category
from portero.kit.db import Base
from portero.launches.models import Launch, PlaySession
from portero.partners.models import Partner, PartnerToken
from portero.players.models import Player
from portero.roulette.models import RouletteRound, RouletteSeat
from portero.slots.models import SlotSpin
from portero.wallet.models import WalletAccount, WalletEntry

metadata = Base.metadata

__all__ = [
    "Call",
    "CallAgent",
    "CallCategory",
    "CallOffer",
    "Launch",
    "Partner",
    "PartnerToken",
    "PlaySession",
    "Player",
    "RouletteRound",
    "RouletteSeat",
    "SlotSpin",
    "WalletAccount",
    "WalletEntry",
    "agent_category",
    "metadata",
]
