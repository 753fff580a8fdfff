"""The sandbox on HTTP: the five One Wallet methods (POST, JSON, `authToken` in the query) and
the admin API, as a plain Starlette application (no validation layer, no OpenAPI: the sandbox
reads its requests itself, the way an operator's wallet would).

Every reply of the five methods is HTTP 200 JSON, errors included (the status says what went
wrong), unless a fault was injected: that is the point of a fault.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from portero.wallet.onewallet import wire
from portero.wallet.onewallet.wire import INVALID_PARAMETER, INVALID_TOKEN_ID
from portero.wallet.sandbox import admin, faults, messages
from portero.wallet.sandbox.faults import CutShortReply, FaultKind, FaultPlan
from portero.wallet.sandbox.messages import Answer
from portero.wallet.sandbox.rules import SandboxWallet


class _Methods:
    """Serves the five methods: latency, then the fault drawn for the call (if any) around
    the rules."""

    def __init__(
        self, wallet: SandboxWallet, auth_token: str, plan: FaultPlan | None, latency_ms: float
    ) -> None:
        self.wallet = wallet
        self.auth_token = auth_token
        self.plan = plan
        self.latency_seconds = latency_ms / 1000

    def endpoint(self, method: str) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            return await self.answer(method, request)

        return answer

    async def answer(self, method: str, request: Request) -> Response:
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        fault = self.plan.draw(method) if self.plan else None
        if fault in faults.BEFORE_APPLYING:
            return await self._fail_before(fault)
        raw = await request.body()
        reply = self._judge(method, request, raw)
        if fault is FaultKind.reply_twice:
            # The network delivered the request twice; the caller gets the second answer.
            reply = self._judge(method, request, raw)
        return await self._deliver(reply, fault)

    def _judge(self, method: str, request: Request, raw: bytes) -> bytes:
        body = wire.decode(raw)
        if not admin.token_matches(request, self.auth_token):
            answer = Answer(INVALID_TOKEN_ID)
        elif body is None:
            answer = Answer(INVALID_PARAMETER)
        else:
            answer = self.wallet.handle(method, body)
        return wire.encode(messages.reply_body(method, answer, messages.uuid_of(body)))

    async def _fail_before(self, fault: FaultKind | None) -> Response:
        if fault is FaultKind.http_500_before:
            return faults.server_error(applied=False)
        assert self.plan is not None  # a fault was drawn from it
        await asyncio.sleep(self.plan.hang_seconds)
        return CutShortReply(b"")  # long after the caller gave up: nothing useful, then close

    async def _deliver(self, reply: bytes, fault: FaultKind | None) -> Response:
        if fault is FaultKind.timeout_after and self.plan is not None:
            await asyncio.sleep(self.plan.hang_seconds)
        elif fault is FaultKind.http_500_after:
            return faults.server_error(applied=True)
        elif fault is FaultKind.dropped_connection:
            return CutShortReply(reply)
        elif fault is FaultKind.garbage:
            return faults.garbage()
        breakage = self.wallet.breakage
        if breakage.slow_replies:
            await asyncio.sleep(breakage.slow_reply_seconds)
        media_type = "text/plain" if breakage.wrong_content_type else "application/json"
        return Response(reply, media_type=media_type)


def create_app(
    wallet: SandboxWallet,
    *,
    auth_token: str,
    faults: FaultPlan | None = None,
    latency_ms: float = 0,
) -> Starlette:
    """The sandbox's ASGI application over `wallet`: `/check`, `/balance`, `/debit`,
    `/credit`, `/cancel` at its root (its base URL is the server's), and `/_sandbox/…`.
    `latency_ms` is added to every call of the five methods (never to the admin API)."""
    if not auth_token:
        raise ValueError("the sandbox needs an auth token")
    if latency_ms < 0:
        raise ValueError("latency_ms cannot be negative")
    methods = _Methods(wallet, auth_token, faults, latency_ms)
    routes: list[BaseRoute] = [
        Route(f"/{method}", methods.endpoint(method), methods=["POST"], name=method)
        for method in wire.METHODS
    ]
    routes.append(admin.mount(wallet, auth_token))
    return Starlette(routes=routes)
