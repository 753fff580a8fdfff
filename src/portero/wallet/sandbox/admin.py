"""The sandbox's admin API, under `/_sandbox/`, for tests and for people trying the sandbox:
read the whole state, set a balance, lock or unlock a user, forget a user's sids.

Kept apart from the five One Wallet methods (no One Wallet caller ever calls these paths) and
never subject to injected faults or latency: a test that inspects the sandbox must see it as
it is. The same `authToken` query parameter is required.

    GET  /_sandbox/state                          the snapshot (SandboxWallet.snapshot)
    POST /_sandbox/users/{user}/balance           {"currency": "EUR", "balance": 25.00}
    POST /_sandbox/users/{user}/lock | /unlock
    POST /_sandbox/users/{user}/invalidate-sids
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from portero.wallet.onewallet import wire
from portero.wallet.sandbox.rules import SandboxWallet

Endpoint = Callable[[Request], Awaitable[Response]]


def token_matches(request: Request, auth_token: str) -> bool:
    """The request's `authToken` query parameter is the sandbox's (compared in constant time)."""
    given = request.query_params.get("authToken", "")
    return secrets.compare_digest(given.encode(), auth_token.encode())


def _json(body: dict[str, Any], status_code: int = 200) -> Response:
    return Response(wire.encode(body), status_code=status_code, media_type="application/json")


def _guarded(auth_token: str, endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        if not token_matches(request, auth_token):
            return _json({"error": "wrong or missing authToken"}, 403)
        return await endpoint(request)

    return guarded


def mount(wallet: SandboxWallet, auth_token: str) -> Mount:
    """The `/_sandbox` routes over `wallet`."""

    async def state(request: Request) -> Response:
        return _json(wallet.snapshot())

    async def set_balance(request: Request) -> Response:
        user_id = request.path_params["user_id"]
        body = wire.decode(await request.body()) or {}
        currency, balance = body.get("currency"), body.get("balance")
        try:
            if not isinstance(currency, str) or not isinstance(balance, Decimal):
                raise ValueError("currency must be a string and balance a number")
            wallet.set_balance(user_id, currency, balance)
        except ValueError as error:
            return _json({"error": str(error)}, 400)
        return _json({"user_id": user_id, **wallet.user(user_id)})

    def setting(change: Callable[[str], None]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            user_id = request.path_params["user_id"]
            change(user_id)
            return _json({"user_id": user_id, **wallet.user(user_id)})

        return endpoint

    routes = {
        "/state": (state, "GET"),
        "/users/{user_id}/balance": (set_balance, "POST"),
        "/users/{user_id}/lock": (setting(lambda user: wallet.set_locked(user, True)), "POST"),
        "/users/{user_id}/unlock": (setting(lambda user: wallet.set_locked(user, False)), "POST"),
        "/users/{user_id}/invalidate-sids": (setting(wallet.invalidate_sids), "POST"),
    }
    return Mount(
        "/_sandbox",
        routes=[
            Route(path, _guarded(auth_token, endpoint), methods=[verb])
            for path, (endpoint, verb) in routes.items()
        ],
    )
