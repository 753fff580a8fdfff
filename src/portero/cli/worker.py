"""`portero worker`: the delivery engine alone, for a deployment that keeps retries out of its
server processes (PORTERO_DELIVERY_POLL_SECONDS=0 there) or wants one more."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Annotated

import typer

from portero.cli.runner import settings_or_exit
from portero.delivering import handlers
from portero.http.runtime import Runtime
from portero.kit.db import create_engine
from portero.kit.logging import configure_logging


def worker(
    poll: Annotated[
        float, typer.Option(min=0.05, help="Seconds between looks for calls that are due")
    ] = 1.0,
) -> None:
    """Deliver the calls owed to partners (credits, cancels, probes of unknown debits,
    webhooks) until stopped (Ctrl-C or SIGTERM); safe beside servers and other workers on
    PostgreSQL."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, json_output=settings.log_json)

    async def main() -> None:
        engine = create_engine(settings)
        runtime = Runtime.create(settings, engine)
        try:
            async with handlers(runtime):
                serving = asyncio.ensure_future(runtime.deliveries.serve(interval=poll))
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(signal.SIGTERM, serving.cancel)
                typer.echo(f"Delivering calls to partners (every {poll:g} s); Ctrl-C stops.")
                with contextlib.suppress(asyncio.CancelledError):
                    await serving
        finally:
            await runtime.wallet_clients.aclose()
            await engine.dispose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
