"""`portero demo`: configured demo partners and ready-to-paste calls for every API.

Two partners: "Demo Casino" plays on play money; "Demo Casino (seamless)" keeps its players'
money in its own wallet, which `make serve` runs beside Portero as the sandbox wallet
(`portero wallet sandbox`), so that the whole seamless flow can be watched on one machine.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli.runner import run_in_transaction, settings_or_exit
from portero.kit.clock import utcnow
from portero.kit.db import create_engine, create_sessionmaker
from portero.partners import repository, service
from portero.partners.auth import PartnerAuthenticator
from portero.partners.errors import AuthenticationFailed
from portero.partners.schemas import PartnerConfigUpdate
from portero.products.registry import PRODUCTS, ProductName
from portero.rounds import wallet_modes
from portero.rounds.wallet_modes import WalletChange
from portero.wallet.modes import WalletMode

# Demo only: the demo partners' tokens are kept in local files so that `make serve` can print
# working calls every time; so is the sandbox wallet's secret, which `make serve` hands to the
# sandbox it starts. Real partners' tokens are shown once and never stored.
TOKEN_FILE = Path("var/demo-token")
SEAMLESS_TOKEN_FILE = Path("var/demo-seamless-token")
SANDBOX_TOKEN_FILE = Path("var/sandbox-token")
SANDBOX_URL_ENV = "PORTERO_DEMO_SANDBOX_URL"
DEMO = "Demo Casino"
SEAMLESS_DEMO = "Demo Casino (seamless)"


def _stored(path: Path) -> str | None:
    return path.read_text().strip() if path.exists() else None


def _keep(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret)
    path.chmod(0o600)


def sandbox_token() -> str:
    """The sandbox wallet's shared secret for the demo, made once."""
    token = _stored(SANDBOX_TOKEN_FILE) or secrets.token_urlsafe(24)
    _keep(SANDBOX_TOKEN_FILE, token)
    return token


def _token_still_works(token: str, partner_id: int) -> bool:
    settings = settings_or_exit()

    async def check() -> bool:
        engine = create_engine(settings)
        try:
            authenticator = PartnerAuthenticator(create_sessionmaker(engine), ttl_seconds=0)
            await authenticator.authenticate(token, partner_id=partner_id)
            return True
        except AuthenticationFailed:
            return False
        finally:
            await engine.dispose()

    return asyncio.run(check())


def ensure_demo_partner(
    name: str = DEMO, token_file: Path = TOKEN_FILE, wallet: WalletChange | None = None
) -> tuple[int, str]:
    secret_key = settings_or_exit().signing_key

    async def find_or_create(session: AsyncSession) -> tuple[int, str | None]:
        partner = await repository.find_demo(session, name=name)
        created = None
        if partner is None:
            partner, _token, created = await service.create_partner(
                session, name=name, is_demo=True
            )
            await service.configure(
                session,
                partner_id=partner.id,
                update=PartnerConfigUpdate(
                    products=[p for p in ProductName if PRODUCTS[p].entitled_by is None],
                    default_language="es",
                    default_currency="EUR",
                    launch_ttl_seconds=600,
                    return_url="https://example.com/lobby",
                ),
            )
        if wallet is not None:  # the sandbox's address or secret may have changed
            await wallet_modes.configure(
                session, partner_id=partner.id, change=wallet, secret_key=secret_key
            )
        return partner.id, created

    partner_id, new_token = run_in_transaction(find_or_create)
    token = new_token or _stored(token_file)
    if token is None or not _token_still_works(token, partner_id):

        async def mint(session: AsyncSession) -> str:
            return (await service.add_token(session, partner_id=partner_id))[1]

        token = run_in_transaction(mint)
    _keep(token_file, token)
    return partner_id, token


def example_calls(base_url: str, partner_id: int, token: str) -> str:
    auth = f"-H 'Authorization: Bearer {token}'"
    today = utcnow().date().isoformat()  # the report's days are UTC days
    return f"""\
Demo partner #{partner_id} (play money), token {token}

# Native API: create a launch (open the "url" of the answer in a browser)
curl -s {base_url}/v1/launches {auth} -H 'Content-Type: application/json' \\
  -H "Idempotency-Key: $(date +%s%N)" \\
  -d '{{"product": "roulette", "player": {{"id": "238", "nickname": "estarly93",
       "email": "estarly@example.com", "language": "es", "currency": "EUR"}}}}'

# Native API: a slot launch for the same player, in English
curl -s {base_url}/v1/launches {auth} -H 'Content-Type: application/json' \\
  -d '{{"product": "slot", "params": {{"game_id": "monaco-nights"}},
       "player": {{"id": "238", "language": "en"}}}}'

# Native API: list, read, revoke
curl -s '{base_url}/v1/launches?limit=5' {auth}
curl -s {base_url}/v1/launches/LAUNCH_ID {auth}
curl -s -X POST {base_url}/v1/launches/LAUNCH_ID/revoke {auth}
curl -s {base_url}/v1/players/238 {auth}

# Operators (docs/operators.md): the rounds played, with their replay links; today's report
curl -s '{base_url}/v1/rounds?limit=5' {auth}
curl -s '{base_url}/v1/reports/daily?date={today}' {auth}

# Seed 000 (roulette sessions): form parameters; answers status OK, code 200 and the url
curl -s {base_url}/1.0/request/session -d TokenId={token} -d ClientId={partner_id} \\
  -d UserId=238 -d UserName=estarly93 -d UserEmail=estarly@example.com

# Seed 001 (LuckyMonaco): a table game session; answers the url (same uuid: same answer)
curl -s '{base_url}/api/session?MEMB_ID={partner_id}&HASH={token}' \\
  -H 'Content-Type: application/json' \\
  -d '{{"uuid": "{uuid.uuid4()}", "gametype": "table", "gameid": "roulette",
       "player": {{"id": "238", "nickname": "estarly93", "language": "en", "currency": "EUR",
                  "session": {{"id": "s1", "ip": "203.0.113.7"}}}}}}'
curl -s {base_url}/api/games

# Seed 002 (agent call link): answers statusCode 0 and a /session/xxx-xxx-xxx-xx link
curl -s {base_url}/api/v1/access/external/cammer/generate-session \\
  -H 'Authorization: {token}' -H 'X-Requested-With: XMLHttpRequest' \\
  -H 'Content-Type: application/json' \\
  -d '{{"name": "Abraham", "email": "abraham@example.com", "cellphone": "+584141315854",
       "ticket": {{"title": "Father day offer", "description": "20% off everything"}}}}'

# Agent video calls: an agent (prints its code) and a one-time link to their console; set
# yourself available there, then open the seed 002 link above in another browser
.venv/bin/portero agent add Ana --partner {partner_id}
.venv/bin/portero agent console-link AGENT_CODE --partner {partner_id}

# Operations
curl -s {base_url}/healthz; curl -s {base_url}/readyz; curl -s {base_url}/metrics | head
# API reference: {base_url}/docs
"""


def seamless_calls(base_url: str, partner_id: int, token: str, sandbox_url: str) -> str:
    return f"""\
Demo partner #{partner_id} (seamless: its own wallet, the sandbox at {sandbox_url}), token {token}

# Seed 001 slot session; the sandbox opens each new player with 1,000.00: spin, and watch
# its balance follow (one debit, one credit per spin)
curl -s '{base_url}/api/session?MEMB_ID={partner_id}&HASH={token}' \\
  -H 'Content-Type: application/json' \\
  -d '{{"uuid": "{uuid.uuid4()}", "gametype": "slot", "gameid": "monaco-nights",
       "player": {{"id": "ana", "nickname": "ana", "language": "en", "currency": "EUR",
                  "session": {{"id": "s-ana", "ip": "203.0.113.7"}}}}}}'

# What the wallet holds and every movement it saw
curl -s '{sandbox_url}/_sandbox/state?authToken='"$(cat var/sandbox-token)"

# Rounds whose calls to the wallet never got through (retried in the background first)
.venv/bin/portero wallet failures --partner {partner_id}
"""


def demo(
    sandbox_url: Annotated[
        str | None,
        typer.Option(
            envvar=SANDBOX_URL_ENV,
            help="Where `make serve` runs the sandbox wallet [default: http://127.0.0.1:8001]",
        ),
    ] = None,
) -> None:
    """Create (once) the configured demo partners and print example calls for every API."""
    # Read here too: the oldest Typer this supports does not fill such an option from its envvar.
    sandbox_url = sandbox_url or os.environ.get(SANDBOX_URL_ENV) or "http://127.0.0.1:8001"
    settings = settings_or_exit()
    partner_id, token = ensure_demo_partner()
    typer.echo(example_calls(settings.base_url, partner_id, token))
    wallet = WalletChange(mode=WalletMode.seamless, url=sandbox_url, auth_token=sandbox_token())
    seamless_id, seamless_token = ensure_demo_partner(SEAMLESS_DEMO, SEAMLESS_TOKEN_FILE, wallet)
    typer.echo(seamless_calls(settings.base_url, seamless_id, seamless_token, sandbox_url))
