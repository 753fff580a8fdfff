"""The sandbox wallet as a real server (uvicorn in a thread, a free port on loopback), for the
tests of the sandbox itself, of the conformance tool and of anything that calls a seamless
wallet."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn

from portero.wallet.onewallet.client import Endpoint
from portero.wallet.sandbox import FaultPlan, SandboxWallet, create_app
from portero.wallet.sandbox.faults import quiet_dropped_connections
from tests.support.browsing import free_port

START_SECONDS = 5.0


@dataclass
class RunningSandbox:
    """A started sandbox: where it listens, its token, and its in-memory wallet (which the test
    may inspect with `wallet.snapshot()` while the server runs)."""

    base_url: str
    auth_token: str = field(repr=False)
    wallet: SandboxWallet

    def endpoint(self, *, timeout_seconds: float = 2.0, partner_id: int = 1) -> Endpoint:
        """The sandbox as Portero's wallet client sees a partner's One Wallet."""
        return Endpoint(partner_id, self.base_url, self.auth_token, timeout_seconds)

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")


@contextmanager
def sandbox_server(
    wallet: SandboxWallet | None = None,
    *,
    auth_token: str | None = None,
    faults: FaultPlan | None = None,
    latency_ms: float = 0,
) -> Iterator[RunningSandbox]:
    """Serve `wallet` (a fresh one by default) on 127.0.0.1 for the body of the `with`."""
    wallet = wallet or SandboxWallet()
    token = auth_token or secrets.token_urlsafe(24)
    port = free_port()
    app = create_app(wallet, auth_token=token, faults=faults, latency_ms=latency_ms)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    quiet_dropped_connections()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_until(lambda: server.started, START_SECONDS), "the sandbox did not start"
    try:
        yield RunningSandbox(f"http://127.0.0.1:{port}", token, wallet)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether `condition` became true within `seconds` (checked every 10 ms): for what
    another thread does, when there is nothing to wait on but its visible effect."""
    ticks = threading.Event()
    for _ in range(max(1, round(seconds * 100))):
        if condition():
            return True
        ticks.wait(0.01)
    return condition()
