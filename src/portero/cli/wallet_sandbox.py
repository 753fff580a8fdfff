"""`portero wallet sandbox` (a One Wallet to point a partner at while integrating, with faults
on demand) and `portero wallet conformance` (the scenarios a partner's real One Wallet must
pass before money goes through it)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
import uvicorn

from portero.wallet.conformance import Target, render_table, run_conformance
from portero.wallet.currency import minor_units
from portero.wallet.onewallet import wire
from portero.wallet.sandbox import FaultKind, FaultPlan, SandboxWallet, create_app
from portero.wallet.sandbox.faults import (
    DEFAULT_HANG_SECONDS,
    parse_kinds,
    quiet_dropped_connections,
)

TOKEN_ENV = "PORTERO_SANDBOX_AUTH_TOKEN"  # noqa: S105 (the variable's name, not a secret)
FAULT_METHODS = {"money": frozenset(wire.MONEY_METHODS), "all": frozenset(wire.METHODS)}


def register(app: typer.Typer) -> None:
    """Add the sandbox's commands to `portero wallet`."""
    app.command("sandbox")(sandbox)
    app.command("conformance")(conformance)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg="red", err=True)
    return typer.Exit(2)


def _opening_balance(text: str) -> Decimal:
    try:
        amount = Decimal(text)
        exact = amount.quantize(wire.HUNDREDTH)
    except InvalidOperation:
        raise _fail(f"--opening-balance {text!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or exact != amount:
        raise _fail("--opening-balance is an amount of zero or more, with at most two decimals")
    return exact


def _fault_plan(
    rate: float, kinds: str | None, methods: str, hang_seconds: float, seed: int | None
) -> FaultPlan | None:
    if rate == 0:
        return None
    if methods not in FAULT_METHODS:
        raise _fail(f"--fault-methods is one of {', '.join(FAULT_METHODS)}")
    try:
        return FaultPlan(
            rate,
            parse_kinds(kinds) if kinds else tuple(FaultKind),
            methods=FAULT_METHODS[methods],
            hang_seconds=hang_seconds,
            seed=seed,
        )
    except ValueError as error:
        raise _fail(str(error)) from None


def _announce(base_url: str, generated_token: str | None, plan: FaultPlan | None) -> None:
    typer.echo(f"Sandbox One Wallet on {base_url} (its five methods: {', '.join(wire.METHODS)})")
    if generated_token is not None:
        # The one place a token is printed: the operator needs the one just made up.
        typer.echo(f"Auth token (generated): {generated_token}")
    token = generated_token or f"${TOKEN_ENV}"
    typer.echo(
        "Point a partner at it: "
        f"portero partner wallet ID --mode seamless --url {base_url} --auth-token {token}"
    )
    if plan is not None:
        kinds = ", ".join(plan.kinds)
        typer.echo(f"Faults: {plan.rate:.0%} of {', '.join(sorted(plan.methods))} calls ({kinds})")
    typer.echo(f"State: GET {base_url}/_sandbox/state?authToken=…")


Host = Annotated[str, typer.Option(help="Address to listen on")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")]
AuthToken = Annotated[
    str | None,
    typer.Option(
        envvar=TOKEN_ENV, show_envvar=True, help="The shared secret (made up if not given)"
    ),
]
FaultRate = Annotated[
    float, typer.Option(min=0, max=1, help="Probability that a call meets a fault")
]
FaultKinds = Annotated[
    str | None,
    typer.Option(
        help="Comma-separated: timeout, 500, timeout-before, timeout-after, 500-before, "
        "500-after, drop, garbage, twice (default: all)"
    ),
]
FaultMethods = Annotated[
    str, typer.Option(help="Which calls faults hit: money (debit, credit, cancel) or all")
]
HangSeconds = Annotated[float, typer.Option(min=0, help="How long an injected timeout hangs")]
LatencyMs = Annotated[float, typer.Option(min=0, help="Milliseconds added to every call")]
OpeningBalance = Annotated[str, typer.Option(help="Each new user's balance in each currency")]
Seed = Annotated[int | None, typer.Option(help="Seed of the faults, to replay them")]


def sandbox(
    host: Host = "127.0.0.1",
    port: Port = 8001,
    auth_token: AuthToken = None,
    faults: FaultRate = 0.0,
    fault_kinds: FaultKinds = None,
    fault_methods: FaultMethods = "money",
    hang_seconds: HangSeconds = DEFAULT_HANG_SECONDS,
    latency_ms: LatencyMs = 0.0,
    opening_balance: OpeningBalance = "1000.00",
    seed: Seed = None,
) -> None:
    """Run a One Wallet-compatible wallet in memory, to integrate and test against."""
    # Read here too: the oldest Typer this supports does not fill such an option from its envvar.
    auth_token = auth_token or os.environ.get(TOKEN_ENV) or None
    wallet = SandboxWallet(opening_balance=_opening_balance(opening_balance))
    plan = _fault_plan(faults, fault_kinds, fault_methods, hang_seconds, seed)
    token = auth_token or secrets.token_urlsafe(24)
    app = create_app(wallet, auth_token=token, faults=plan, latency_ms=latency_ms)
    _announce(f"http://{host}:{port}", None if auth_token else token, plan)
    quiet_dropped_connections()
    # No access log: the auth token travels in every request's query string.
    uvicorn.run(app, host=host, port=port, access_log=False, server_header=False)


def conformance(
    url: Annotated[str, typer.Argument(help="The base URL of the One Wallet methods")],
    auth_token: Annotated[str, typer.Option(help="The shared secret the wallet expects")],
    user_id: Annotated[str, typer.Option(help="A test account's userId")],
    currency: Annotated[str, typer.Option(help="The account's currency (ISO 4217)")],
    sid: Annotated[str, typer.Option(help="A session id for check (the sandbox takes any)")] = "",
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds each call may take")] = 2.0,
    latency_budget: Annotated[
        float, typer.Option(min=0.001, help="Seconds every reply must come within")
    ] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Run the One Wallet conformance scenarios against a wallet; exit 1 if any fails."""
    try:
        minor_units(currency)
    except ValueError as error:
        raise _fail(str(error)) from None
    target = Target(
        base_url=url,
        auth_token=auth_token,
        user_id=user_id,
        sid=sid,
        currency=currency.upper(),
        timeout_seconds=timeout,
        latency_budget_seconds=latency_budget,
    )
    report = asyncio.run(run_conformance(target))
    typer.echo(json.dumps(report.as_json(), indent=2) if as_json else render_table(report))
    if not report.passed:
        raise typer.Exit(1)
