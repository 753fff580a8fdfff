"""`portero worker`: the delivery engine alone, for a deployment that keeps retries out of its
server processes (PORTERO_DELIVERY_POLL_SECONDS=0 there) or wants one more."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Annotated

import typer

from portero.cli.runner import settings_or_exit
from portero.delivery.engine import DeliveryEngine
from portero.http.runtime import Runtime
from portero.kit.db import create_engine, create_sessionmaker
from portero.kit.logging import configure_logging
from portero.partners.auth import PartnerAuthenticator
from portero.rounds import recovery
from portero.wallet.onewallet.client import WalletClients


def worker(
    poll: Annotated[
        float, typer.Option(min=0.05, help="Seconds between looks for calls that are due")
    ] = 1.0,
) -> None:
    """Deliver the calls owed to partners (credits, cancels, probes of unknown debits) until
    stopped (Ctrl-C or SIGTERM); safe beside servers and other workers on PostgreSQL."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, json_output=settings.log_json)

    async def main() -> None:
        engine = create_engine(settings)
        sessions = create_sessionmaker(engine)
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessions=sessions,
            authenticator=PartnerAuthenticator(sessions, ttl_seconds=settings.auth_cache_seconds),
            wallet_clients=WalletClients(max_connections=settings.wallet_max_connections),
            deliveries=DeliveryEngine(sessions, settings),
        )
        recovery.register(runtime)
        serving = asyncio.ensure_future(runtime.deliveries.serve(interval=poll))
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, serving.cancel)
        typer.echo(f"Delivering calls to partners (every {poll:g} s); Ctrl-C stops.")
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await serving
        finally:
            await runtime.wallet_clients.aclose()
            await engine.dispose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
