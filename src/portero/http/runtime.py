from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from portero.calls.bus import LocalBus
from portero.calls.dispatcher import Dispatcher
from portero.kit.pg_pool import FairPool
from portero.launches.store import LaunchStore
from portero.launches.unit_of_work import launch_store_scope
from portero.partners.auth import PartnerAuthenticator
from portero.settings import Settings


@dataclass
class Runtime:
    """Everything a request needs that lives as long as the process: made in the lifespan."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    authenticator: PartnerAuthenticator
    # PostgreSQL only: the connections of the hot paths (see launches/store.py).
    pg_pool: FairPool | None = None
    # The call product's messages between pages (in-process, or through Redis).
    bus: LocalBus | None = None
    # Runs the call product's clock; nudged when a call frees an agent.
    dispatcher: Dispatcher | None = None

    def launch_store(self) -> AbstractAsyncContextManager[LaunchStore]:
        """A transaction for the hot paths (see launches/store.py)."""
        return launch_store_scope(
            self.sessions, self.pg_pool, wait_seconds=self.settings.db_pool_timeout_seconds
        )


def runtime_of(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime
