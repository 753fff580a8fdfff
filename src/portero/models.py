"""Every table, imported in one place for Alembic and for metadata-wide operations."""

from portero.calls.models import Call, CallAgent, CallCategory, CallOffer, agent_category
from portero.delivery.models import Delivery, DeliveryAttempt
from portero.kit.db import Base
from portero.launches.models import Launch, PlaySession
from portero.partners.models import Partner, PartnerToken
from portero.players.models import Player
from portero.roulette.models import RouletteSeat
from portero.rounds.models import GameRound
from portero.transfers.models import WalletTransfer
from portero.wallet.models import WalletAccount, WalletEntry
from portero.webhooks.models import WebhookEndpoint, WebhookEvent

metadata = Base.metadata

__all__ = [
    "Call",
    "CallAgent",
    "CallCategory",
    "CallOffer",
    "Delivery",
    "DeliveryAttempt",
    "GameRound",
    "Launch",
    "Partner",
    "PartnerToken",
    "PlaySession",
    "Player",
    "RouletteSeat",
    "WalletAccount",
    "WalletEntry",
    "WalletTransfer",
    "WebhookEndpoint",
    "WebhookEvent",
    "agent_category",
    "metadata",
]
