"""Routes served without FastAPI's per-request machinery, for the busiest endpoints (a round,
a launch): FastAPI builds and documents such a route from its declaration like any other, but
a request skips its dependency solver and its per-request wrapping. On the hot paths py-spy
put about a quarter of a launch's CPU in those, and an eighth of a spin's (bench/README.md).

A subclass names the arguments its endpoints take and how each is found from the request
alone, and refuses, when the route is built, any endpoint it could not serve exactly as
FastAPI would (another parameter, another dependency).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from starlette.types import Receive, Scope, Send

Arguments = Callable[[Request], Awaitable[dict[str, Any]]]
Endpoint = Callable[..., Awaitable[Response]]


class DirectRoute(APIRoute):
    """See the module. `arguments()` gives the endpoint's keyword arguments for a request."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        arguments = self.arguments()
        call: Callable[..., Awaitable[Response]] = self.endpoint

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            request = Request(scope, receive, send)
            response = await call(**await arguments(request))
            await response(scope, receive, send)

        # Not FastAPI's request wrapping either: two exit stacks for yield dependencies (such
        # a route has none) and a pass of the exception handlers that the application's
        # ExceptionMiddleware makes anyway, with the same handlers.
        self.app = app

    def arguments(self) -> Arguments:
        raise NotImplementedError

    def require(self, parameters: list[str], dependencies: list[Any]) -> None:
        """Refuse an endpoint whose parameters or route dependencies are not these."""
        given = list(inspect.signature(self.endpoint).parameters)
        declared = [depends.dependency for depends in self.dependencies]
        if given != parameters or declared != dependencies:
            raise TypeError(
                f"{self.path}: a {type(self).__name__} serves an endpoint taking "
                f"({', '.join(parameters)}) with exactly its own dependencies"
            )


class RequestRoute(DirectRoute):
    """For `async def endpoint(request) -> Response`, which reads and checks everything
    itself (the seeds' launch endpoints: their own authentication, forms and error codes).
    Its only dependencies may be security schemes that never refuse (`auto_error=False`):
    they document the credentials, and the endpoint checks them."""

    def arguments(self) -> Arguments:
        documenting = [
            depends.dependency
            for depends in self.dependencies
            if isinstance(depends.dependency, SecurityBase)
            and not getattr(depends.dependency, "auto_error", True)
        ]
        self.require(["request"], documenting)

        async def arguments(request: Request) -> dict[str, Any]:
            return {"request": request}

        return arguments


def served_by(
    route_class: type[DirectRoute], router: APIRouter, path: str, **options: Any
) -> Callable[[Endpoint], Endpoint]:
    """`@router.api_route(path, **options)`, the route served by `route_class`."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, route_class_override=route_class, **options)
        return endpoint

    return register
