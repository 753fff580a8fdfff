"""The ASGI application: `create_app()` wires routers, middleware and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from portero import __version__
from portero.calls import api as calls_api
from portero.calls.bus import create_bus
from portero.calls.dispatcher import Dispatcher
from portero.calls.timings import CallTimings
from portero.dialects.cammer import api as cammer_api
from portero.dialects.cammer import errors as cammer_errors
from portero.dialects.luckymonaco import api as luckymonaco_api
from portero.dialects.luckymonaco import errors as luckymonaco_errors
from portero.dialects.native import api as native_api
from portero.dialects.native import call_api as native_call_api
from portero.dialects.native import call_schemas as native_call_schemas
from portero.dialects.native import errors as native_errors
from portero.dialects.roulette_v1 import api as roulette_api
from portero.dialects.roulette_v1 import errors as roulette_errors
from portero.http.errors import (
    ErrorRenderers,
    index_methods,
    install_error_handlers,
    unexpected_error_response,
)
from portero.http.middleware import BodyLimitMiddleware, RequestContextMiddleware
from portero.http.openapi import install_openapi
from portero.http.runtime import Runtime
from portero.kit.db import create_engine, create_sessionmaker
from portero.kit.logging import configure_logging
from portero.kit.pg_pool import FairPool
from portero.launches import sweeper
from portero.launches.schemas import LaunchCreate
from portero.ops import api as ops_api
from portero.partners.auth import PartnerAuthenticator
from portero.roulette import api as roulette_table_api
from portero.roulette.schemas import SpinIn
from portero.settings import Settings, load_settings
from portero.slots import api as slots_api
from portero.slots.catalogue import games as slot_games
from portero.slots.schemas import SpinIn as SlotSpinIn
from portero.web import pages, play_api
from portero.web.rendering import render_link_error

STATIC = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    settings.signing_key  # noqa: B018  (refuse to start without a usable key)
    slot_games()  # refuse to start with a game file that does not hold up

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        sessions = create_sessionmaker(engine)
        app.state.runtime = Runtime(
            settings=settings,
            engine=engine,
            sessions=sessions,
            authenticator=PartnerAuthenticator(sessions, ttl_seconds=settings.auth_cache_seconds),
            pg_pool=None if settings.is_sqlite else await FairPool.open(settings),
        )
        bus = create_bus(settings.redis_url)
        await bus.start()
        app.state.runtime.bus = bus
        dispatcher = Dispatcher(
            sessions, bus, CallTimings.of(settings), interval=settings.call_tick_seconds
        )
        if settings.call_tick_seconds > 0:
            dispatcher.start()
            app.state.runtime.dispatcher = dispatcher
        sweeping = None
        if settings.expiry_sweep_seconds > 0:
            sweeping = asyncio.create_task(
                sweeper.run_forever(sessions, settings.expiry_sweep_seconds)
            )
        try:
            yield
        finally:
            await dispatcher.stop()
            await bus.close()
            if sweeping:
                sweeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeping
            if app.state.runtime.pg_pool is not None:
                await app.state.runtime.pg_pool.close()
            await engine.dispose()

    app = FastAPI(
        title="Portero",
        version=__version__,
        lifespan=lifespan,
        # No 307 to a slash-less path: it would be built from the Host header, and ids may
        # legitimately end in a slash.
        redirect_slashes=False,
        description="Partners authenticate, register their users and receive one-time links "
        'into a product. Errors share one shape: `{"error": {type, code, message, param}}`; '
        "every response carries a `Request-Id` header.",
    )
    renderers = ErrorRenderers(default=native_errors.render)
    renderers.register("/launch/", render_link_error)
    renderers.register("/play/", render_link_error)
    renderers.register("/play/api/", native_errors.render)
    renderers.register("/1.0/", roulette_errors.render)
    renderers.register("/api/", luckymonaco_errors.render)
    renderers.register("/luckymonaco/", render_link_error)
    renderers.register("/api/v1/access/external/cammer/", cammer_errors.render)
    renderers.register("/v1/access/external/cammer/", cammer_errors.render)
    renderers.register("/session/", render_link_error)
    renderers.register("/1.0/request/accepted/", roulette_errors.render_accepted)
    renderers.register("/play/api/roulette/", roulette_errors.render_table_api)
    install_error_handlers(app, renderers)
    routers = (
        native_api.router,
        native_call_api.router,
        roulette_api.router,
        luckymonaco_api.router,
        cammer_api.router,
        play_api.router,
        roulette_table_api.router,
        slots_api.router,
        calls_api.router,
        pages.router,
        ops_api.router,
    )
    for router in routers:
        app.include_router(router)
    app.state.method_index = index_methods(routers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_openapi(
        app, body_models=[LaunchCreate, SpinIn, SlotSpinIn, *native_call_schemas.BODY_MODELS]
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, on_error=unexpected_error_response(renderers))
    if settings.trusted_proxies:
        # Outermost, so that logs, metrics and handlers all see the real client address.
        # Believed only from the configured proxies; uvicorn's own handling is turned off.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


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
