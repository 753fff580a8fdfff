"""The ASGI application: `create_app()` puts the parts together (each installs itself, see
http/assembly.py) around the process-wide runtime, the middleware and the error handling."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from portero import __version__
from portero.calls.file_api import FILES_PATH
from portero.calls.ws import api as calls
from portero.delivering import delivering
from portero.dialects.cammer import api as cammer
from portero.dialects.luckymonaco import api as luckymonaco
from portero.dialects.native import api as native
from portero.dialects.roulette_v1 import api as roulette_v1
from portero.http.assembly import Assembly, running_services
from portero.http.errors import (
    ErrorRenderers,
    index_methods,
    install_error_handlers,
    unexpected_error_response,
)
from portero.http.middleware import BodyLimitMiddleware, RequestContextMiddleware
from portero.http.openapi import install_openapi
from portero.http.runtime import Runtime
from portero.http.throttling import throttling
from portero.kit.db import create_engine
from portero.kit.logging import configure_logging
from portero.kit.pg_pool import FairPool
from portero.launches import sweeper
from portero.ops import api as ops
from portero.ops import docs
from portero.roulette import api as roulette
from portero.settings import Settings, load_settings
from portero.slots import api as slots
from portero.slots.games.catalogue import games as slot_games
from portero.web import pages

STATIC = Path(__file__).parent / "web" / "static"

# The parts, in the order their routes are included (no two parts' paths overlap). Routes are
# matched one by one in this order, a few microseconds each: the busiest paths come first (a
# launch, the rounds a player plays after it, the seeds' launches, opening a link), the
# operators' and partners' administration after them.
PARTS = (
    native.install_launches,
    slots.install,
    roulette.install,
    roulette_v1.install,
    luckymonaco.install,
    cammer.install,
    pages.install,
    native.install,
    calls.install,
    ops.install,
    docs.install,
)

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Partners authenticate, register their users and receive one-time links into a product. "
    'Errors share one shape: `{"error": {type, code, message, param}}`; every response '
    "carries a `Request-Id` header."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    settings.signing_key  # noqa: B018  (refuse to start without a usable key)
    slot_games()  # refuse to start with a game file that does not hold up
    assembly = Assembly(settings=settings, renderers=ErrorRenderers())
    assembly.run(sweeper.sweeping)
    assembly.run(throttling)  # of guesses: links, partner credentials (docs/security.md)
    assembly.run(delivering)  # calls owed to partners: wallets, webhooks (docs/operators.md)
    for install in PARTS:
        install(assembly)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        pg_pool = None if settings.is_sqlite else await FairPool.open(settings)
        runtime = Runtime.create(settings, engine, pg_pool=pg_pool)
        app.state.runtime = runtime
        log.info("serving", extra={"event_loop": event_loop_name()})
        try:
            async with running_services(app, runtime, assembly.services):
                yield
        finally:
            await runtime.wallet_clients.aclose()
            if runtime.pg_pool is not None:
                await runtime.pg_pool.close()
            await engine.dispose()

    # No 307 to a slash-less path: it would be built from the Host header, and ids may
    # legitimately end in a slash.
    app = FastAPI(
        title="Portero",
        version=__version__,
        lifespan=lifespan,
        redirect_slashes=False,
        description=DESCRIPTION,
        # Portero serves these pages itself (ops/docs.py): FastAPI's load their scripts from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    _build(app, assembly)
    return app


def _build(app: FastAPI, assembly: Assembly) -> None:
    """Routes, error handling, the OpenAPI document and the middleware, from the parts."""
    install_error_handlers(app, assembly.renderers)
    for router in assembly.routers:
        # The routers' own routes, straight onto the application's router: FastAPI 0.16x keeps
        # an included router as a branch that every request walks (and the matched one twice),
        # which cost more CPU than the whole of a `/healthz` answer. A router's own options
        # (prefix, tags, responses, dependencies) are already on its routes: FastAPI applies
        # them as each route is declared.
        app.router.routes.extend(router.routes)
    app.state.method_index = index_methods(assembly.routers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_openapi(app, body_models=assembly.body_models, paths=assembly.documented_paths)
    settings = assembly.settings
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={FILES_PATH: settings.call_file_max_bytes},
    )
    on_error = unexpected_error_response(assembly.renderers)
    app.add_middleware(RequestContextMiddleware, on_error=on_error)
    if settings.trusted_proxies:
        # Outermost, so that logs, metrics and handlers all see the real client address.
        # Believed only from the configured proxies; uvicorn's own handling is turned off.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


def event_loop_name() -> str:
    """The package of the running event loop: "uvloop" or "asyncio" (`portero serve --loop`)."""
    return type(asyncio.get_running_loop()).__module__.split(".")[0]


def build() -> FastAPI:
    """Factory for uvicorn (`portero.app:build`), called once per worker process."""
    settings = load_settings()
    configure_logging(settings.log_level, json_output=settings.log_json)
    app = create_app(settings)
    # A request allocates thousands of short-lived objects; with the default thresholds the
    # cyclic collector ran often enough to take ~9 % of a busy server's CPU. Objects alive at
    # start-up (modules, the app) are frozen out of its scans, and young collections are rarer.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
    return app
