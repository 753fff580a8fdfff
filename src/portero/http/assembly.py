"""How the application is put together: each part (an API dialect, a product, the pages,
operations) contributes its routers, the error renderer of its paths, the bodies it documents and
the services it runs beside the server, through one `install(assembly)` function of its own.
`create_app()` lists the parts and adds what every part relies on (the runtime, the middleware,
the error dispatch).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from portero.http.errors import ErrorRenderers, Renderer
from portero.http.runtime import Runtime
from portero.settings import Settings

# A service that runs as long as the server: entered after the runtime exists, left before it
# is torn down (the call product's bus and clock, the expiry sweep).
Service = Callable[[FastAPI, Runtime], AbstractAsyncContextManager[None]]


@dataclass
class Assembly:
    settings: Settings
    renderers: ErrorRenderers
    routers: list[APIRouter] = field(default_factory=list)
    # Bodies read with `read_json` rather than FastAPI parameters, and other schemas referenced
    # by hand: OpenAPI learns them here.
    body_models: list[type[BaseModel]] = field(default_factory=list)
    # Operations of routes that FastAPI does not describe (a dialect's link URL), by path.
    documented_paths: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)

    def include(self, *routers: APIRouter) -> None:
        """Routers, matched in the order they are included."""
        self.routers.extend(routers)

    def render_errors(self, prefix: str, renderer: Renderer) -> None:
        """Errors of paths under `prefix` (the longest registered prefix wins)."""
        self.renderers.register(prefix, renderer)

    def document_bodies(self, *models: type[BaseModel]) -> None:
        self.body_models.extend(models)

    def document_path(self, path: str, item: dict[str, Any]) -> None:
        """An OpenAPI path item (`{"get": operation}`) for routes kept out of the schema."""
        if path in self.documented_paths:
            raise ValueError(f"{path} is documented twice")
        self.documented_paths[path] = item

    def run(self, service: Service) -> None:
        self.services.append(service)


@asynccontextmanager
async def running_services(
    app: FastAPI, runtime: Runtime, services: Sequence[Service]
) -> AsyncIterator[None]:
    """Enter every service in order; leave them in reverse order, whatever happens."""
    async with AsyncExitStack() as stack:
        for service in services:
            await stack.enter_async_context(service(app, runtime))
        yield
