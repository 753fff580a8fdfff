"""The process-wide state every request may use, made once in the lifespan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from portero.delivery.engine import DeliveryEngine
from portero.kit.db import create_sessionmaker
from portero.kit.pg_pool import FairPool
from portero.partners.auth import PartnerAuthenticator
from portero.settings import Settings
from portero.wallet.onewallet.client import WalletClients


@dataclass
class Runtime:
    """Everything a request needs that lives as long as the process: made in the lifespan."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    authenticator: PartnerAuthenticator
    # Calls to partners: the pooled clients of their wallets, and the engine that delivers
    # (and retries) what must reach them (rounds/recovery.py registers its handlers).
    wallet_clients: WalletClients
    deliveries: DeliveryEngine
    # PostgreSQL only: the connections of the hot paths (see launches/store.py).
    pg_pool: FairPool | None = None
    # What /readyz reports besides the database: each names a problem, or None while all is
    # well (the call bus's Redis, say: its outage degrades the calls, not the whole service).
    probes: dict[str, Callable[[], str | None]] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        settings: Settings,
        engine: AsyncEngine,
        *,
        pg_pool: FairPool | None = None,
    ) -> Runtime:
        """The runtime of a server process (or of `portero worker`) on this engine."""
        sessions = create_sessionmaker(engine)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            authenticator=PartnerAuthenticator(sessions, ttl_seconds=settings.auth_cache_seconds),
            wallet_clients=WalletClients(max_connections=settings.wallet_max_connections),
            deliveries=DeliveryEngine(sessions, settings),
            pg_pool=pg_pool,
        )


def runtime_of(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime
