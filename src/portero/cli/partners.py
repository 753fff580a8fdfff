"""`portero partner …`: accounts, tokens and launch configuration."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli.runner import run_in_transaction, settings_or_exit
from portero.kit.validation import check_currency
from portero.partners import repository, service
from portero.partners.models import PartnerStatus
from portero.partners.schemas import PartnerConfigUpdate, PartnerView
from portero.partners.terms import CurrencyTerms, terms_for
from portero.rounds import wallet_modes
from portero.rounds.wallet_modes import WalletChange
from portero.wallet.currency import to_major, to_minor
from portero.wallet.modes import WalletMode

app = typer.Typer(
    help="Partner accounts, their tokens and launch configuration.", no_args_is_help=True
)
tokens = typer.Typer(
    help="A partner's API tokens (several may be live: rotate without downtime).",
    no_args_is_help=True,
)
app.add_typer(tokens, name="token")


def _print_partner(view: PartnerView, as_json: bool) -> None:
    if as_json:
        typer.echo(view.model_dump_json(indent=2))
        return
    state = "configured" if view.configured else "NOT CONFIGURED"
    typer.echo(f"#{view.id} {view.name} [{view.status.value}, {state}]")
    typer.echo(f"  products: {', '.join(view.products) or '-'}")
    typer.echo(f"  language/currency: {view.default_language}/{view.default_currency}")
    typer.echo(
        f"  link ttl: {view.launch_ttl_seconds}s, session idle: {view.session_idle_seconds}s"
    )
    typer.echo(f"  frame ancestors: {' '.join(view.frame_ancestors) or '-'}")
    typer.echo(f"  return url: {view.return_url or '-'}")
    typer.echo(
        f"  responsible gaming: {view.responsible_gaming_url or '-'}, "
        f"age notice {view.age_notice or '-'}, autoplay {'on' if view.autoplay else 'off'}"
    )
    for code, terms in view.currency_terms.items():
        typer.echo(
            f"  {code}: demo credit {to_major(terms.demo_credit, code)}, bets "
            f"{to_major(terms.min_bet, code)}-{to_major(terms.max_bet, code)}"
        )
    wallet = view.wallet
    typer.echo(f"  wallet: {wallet.mode}")
    if wallet.url or wallet.auth_token_hint:
        timeout = f"{wallet.timeout_seconds:g}s" if wallet.timeout_seconds else "default"
        typer.echo(
            f"    url {wallet.url or '-'}, auth token {wallet.auth_token_hint or '-'}, "
            f"timeout {timeout}"
        )
    for token in view.tokens:
        revoked = f" revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else ""
        typer.echo(f"  token {token.id} {token.hint}{revoked}")


@app.command("create")
def create(
    name: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create a partner and print its id and first token (shown only this once)."""

    async def work(session: AsyncSession) -> dict[str, object]:
        partner, token, raw = await service.create_partner(session, name=name)
        return {"id": partner.id, "name": partner.name, "token_id": token.id, "token": raw}

    created = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(created))
        return
    typer.echo(f"Partner #{created['id']} created ({created['name']}).")
    typer.echo(f"Token (shown once, keep it secret): {created['token']}")
    typer.echo(f"Next: portero partner configure {created['id']} --products roulette,slot,call")


@app.command("list")
def list_partners(
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List every partner."""

    async def work(session: AsyncSession) -> list[PartnerView]:
        return [await service.describe(session, p) for p in await repository.list_all(session)]

    views = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps([v.model_dump(mode="json") for v in views], indent=2))
        return
    for view in views:
        state = "configured" if view.configured else "not configured"
        typer.echo(f"#{view.id}\t{view.status.value}\t{state}\t{view.name}")


@app.command("show")
def show(partner_id: int, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show one partner, its configuration and its tokens (hints only)."""

    async def work(session: AsyncSession) -> PartnerView:
        return await service.describe(session, await service.require_partner(session, partner_id))

    _print_partner(run_in_transaction(work), as_json)


def _csv(value: str | None) -> list[str] | None:
    return None if value is None else [p.strip() for p in value.split(",") if p.strip()]


@app.command("configure")
def configure(
    partner_id: int,
    products: Annotated[str | None, typer.Option(help="e.g. roulette,slot,call")] = None,
    language: Annotated[str | None, typer.Option(help="Default ISO 639-1 language")] = None,
    currency: Annotated[str | None, typer.Option(help="Default ISO 4217 currency")] = None,
    launch_ttl: Annotated[int | None, typer.Option(help="Link lifetime, seconds")] = None,
    session_ttl: Annotated[int | None, typer.Option(help="Play-session idle limit, s")] = None,
    frame_ancestors: Annotated[
        str | None, typer.Option(help="Origins allowed to frame product pages, comma-separated")
    ] = None,
    return_url: Annotated[str | None, typer.Option(help="Lobby URL players return to")] = None,
    responsible_gaming_url: Annotated[
        str | None,
        typer.Option(help="https URL of the partner's responsible-gaming page (game pages)"),
    ] = None,
    age_notice: Annotated[
        str | None, typer.Option(help='Short age notice on the game pages, e.g. "18+"')
    ] = None,
    autoplay: Annotated[
        bool | None,
        typer.Option("--autoplay/--no-autoplay", help="Whether slot pages offer autoplay"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Configure what the partner may launch and how (required before its first launch)."""
    try:
        update = PartnerConfigUpdate.model_validate(
            {
                "products": _csv(products),
                "default_language": language,
                "default_currency": currency,
                "launch_ttl_seconds": launch_ttl,
                "session_idle_seconds": session_ttl,
                "frame_ancestors": _csv(frame_ancestors),
                "return_url": return_url,
                "responsible_gaming_url": responsible_gaming_url,
                "age_notice": age_notice,
                "autoplay": autoplay,
            }
        )
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(p) for p in problem["loc"])
            typer.secho(f"{where}: {problem['msg']}", fg="red", err=True)
        raise typer.Exit(2) from None

    async def work(session: AsyncSession) -> PartnerView:
        partner = await service.configure(session, partner_id=partner_id, update=update)
        return await service.describe(session, partner)

    _print_partner(run_in_transaction(work), as_json)


@app.command("terms")
def currency_terms(
    partner_id: int,
    currency: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. EUR")],
    demo_credit: Annotated[
        str | None, typer.Option(help="Opening balance of a new player, e.g. 1000.00")
    ] = None,
    min_bet: Annotated[str | None, typer.Option(help="Smallest stake on one spot")] = None,
    max_bet: Annotated[str | None, typer.Option(help="Largest stake on one spot")] = None,
    reset: Annotated[bool, typer.Option(help="Back to the defaults for this currency")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Set the demo credit and table limits of one currency (amounts in the currency's units:
    10.50 EUR, 500 JPY). Options left out keep their current value."""
    try:
        code = check_currency(currency)
        given = {"demo_credit": demo_credit, "min_bet": min_bet, "max_bet": max_bet}
        changes = {k: to_minor(v, code) for k, v in given.items() if v is not None}
    except ValueError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None

    async def work(session: AsyncSession) -> PartnerView:
        partner = await service.require_partner(session, partner_id)
        terms: CurrencyTerms | None = None
        if not reset:
            current = terms_for(partner.currency_terms, code).model_dump()
            try:
                terms = CurrencyTerms.model_validate(current | changes)
            except ValidationError as error:
                message = "; ".join(
                    str(e["msg"]).removeprefix("Value error, ") for e in error.errors()
                )
                raise typer.BadParameter(message) from None
        partner = await service.set_currency_terms(
            session, partner_id=partner_id, currency=code, terms=terms
        )
        return await service.describe(session, partner)

    _print_partner(run_in_transaction(work), as_json)


@app.command("wallet")
def wallet(
    partner_id: int,
    mode: Annotated[
        WalletMode | None, typer.Option(help="demo (play money), transfer or seamless")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="The seamless wallet's base URL (One Wallet methods under it)"),
    ] = None,
    auth_token: Annotated[
        str | None,
        typer.Option(help="The wallet's shared secret, sent as authToken; `-` reads it from stdin"),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(min=0.1, max=60, help="Seconds a wallet call may take (default 2)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Choose the wallet the partner's games settle with (only while none of its rounds is
    being settled). The auth token is stored encrypted and never shown again."""
    if auth_token == "-":  # noqa: S105 (stdin, not a secret)
        auth_token = sys.stdin.readline().strip()
    if url is not None and not url.startswith(("http://", "https://")):
        typer.secho("--url must be an http:// or https:// URL", fg="red", err=True)
        raise typer.Exit(2)
    if auth_token is not None and not auth_token:
        typer.secho("--auth-token must not be empty", fg="red", err=True)
        raise typer.Exit(2)
    change = WalletChange(mode=mode, url=url, auth_token=auth_token, timeout_seconds=timeout)
    secret_key = settings_or_exit().signing_key

    async def work(session: AsyncSession) -> PartnerView:
        partner = await wallet_modes.configure(
            session, partner_id=partner_id, change=change, secret_key=secret_key
        )
        return await service.describe(session, partner)

    _print_partner(run_in_transaction(work), as_json)


def _set_status(partner_id: int, status: PartnerStatus) -> None:
    async def work(session: AsyncSession) -> None:
        await service.set_status(session, partner_id=partner_id, status=status)

    run_in_transaction(work)
    typer.echo(f"Partner #{partner_id} is now {status.value}.")


@app.command("disable")
def disable(partner_id: int) -> None:
    """Refuse every request of this partner (within the auth cache time on running servers)."""
    _set_status(partner_id, PartnerStatus.disabled)


@app.command("enable")
def enable(partner_id: int) -> None:
    """Accept this partner's requests again."""
    _set_status(partner_id, PartnerStatus.active)


@tokens.command("add")
def add_token(partner_id: int, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Issue another token (shown once); the existing ones keep working."""

    async def work(session: AsyncSession) -> dict[str, str]:
        token, raw = await service.add_token(session, partner_id=partner_id)
        return {"token_id": token.id, "token": raw}

    added = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(added))
    else:
        typer.echo(f"Token {added['token_id']} (shown once): {added['token']}")


@tokens.command("revoke")
def revoke_token(partner_id: int, token_id: str) -> None:
    """Revoke one token (within the auth cache time on running servers)."""

    async def work(session: AsyncSession) -> None:
        await service.revoke_token(session, partner_id=partner_id, token_id=token_id)

    run_in_transaction(work)
    typer.echo(f"Token {token_id} revoked.")
