"""`portero wallet …`: the money tools of an operator (docs/wallets.md): a transfer partner's
deposits, withdrawals and balances, the failed rounds, the sandbox wallet and the conformance
test of a partner's wallet."""

from __future__ import annotations

import json
import secrets
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from portero.cli import wallet_sandbox
from portero.cli.runner import run_in_transaction
from portero.dialects.native.wallet_schemas import (
    FailedRoundOut,
    PlayerWalletOut,
    TransferIn,
    WalletTransactionOut,
)
from portero.kit.validation import check_currency
from portero.rounds import failures
from portero.rounds.failures import Resolution
from portero.transfers import service as transfers
from portero.transfers.service import TransferKind, TransferRequest
from portero.wallet.currency import to_major, to_minor

app = typer.Typer(
    help="Players' money: transfers, failed rounds, the sandbox wallet and its conformance test.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
wallet_sandbox.register(app)

Partner = Annotated[int, typer.Option("--partner", help="The partner's id")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _request(currency: str, amount: str, transaction_id: str | None) -> TransferRequest:
    try:
        code = check_currency(currency)
        body = TransferIn(
            transaction_id=transaction_id or "op_" + secrets.token_hex(12),
            currency=code,
            amount=to_minor(amount, code),
        )
    except (ValueError, ValidationError) as error:
        typer.secho(str(error).splitlines()[-1].strip(), fg="red", err=True)
        raise typer.Exit(2) from None
    return TransferRequest(body.transaction_id, body.currency, body.amount)


def _move(
    partner: int, player: str, kind: TransferKind, request: TransferRequest, as_json: bool
) -> None:
    async def work(session: AsyncSession) -> WalletTransactionOut:
        moved = await transfers.move(
            session, partner_id=partner, player_id=player, kind=kind, request=request
        )
        return WalletTransactionOut.of(moved)

    out = run_in_transaction(work)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
    else:
        amount = f"{to_major(out.amount, out.currency)} {out.currency}"
        balance = f"{to_major(out.balance_after, out.currency)} {out.currency}"
        typer.echo(f"{out.type.value} {out.id} of {amount}: {out.status}, balance {balance}")
    if out.status == transfers.REFUSED:
        raise typer.Exit(1)


AmountArg = Annotated[str, typer.Option(help="In the currency's units, e.g. 25.00")]
TransactionOpt = Annotated[
    str | None, typer.Option(help="Your id for it (idempotent); a new one if left out")
]


@app.command("deposit")
def deposit(
    player: str,
    partner: Partner,
    currency: Annotated[str, typer.Option()],
    amount: AmountArg,
    transaction_id: TransactionOpt = None,
    as_json: Json = False,
) -> None:
    """Move money onto a player's balance (transfer wallets)."""
    _move(
        partner, player, TransferKind.deposit, _request(currency, amount, transaction_id), as_json
    )


@app.command("withdraw")
def withdraw(
    player: str,
    partner: Partner,
    currency: Annotated[str, typer.Option()],
    amount: AmountArg,
    transaction_id: TransactionOpt = None,
    as_json: Json = False,
) -> None:
    """Move money off a player's balance, never more than it holds (exit 1 if refused)."""
    request = _request(currency, amount, transaction_id)
    _move(partner, player, TransferKind.withdrawal, request, as_json)


@app.command("balance")
def balance(player: str, partner: Partner, as_json: Json = False) -> None:
    """A player's balances with Portero (transfer wallets)."""

    async def work(session: AsyncSession) -> PlayerWalletOut:
        await transfers.require_transfer_mode(session, partner)
        accounts = await transfers.balances(session, partner_id=partner, player_id=player)
        return PlayerWalletOut.of(player, accounts)

    out = run_in_transaction(work)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    for line in out.balances or []:
        typer.echo(f"{line.currency}\t{to_major(line.balance, line.currency)}")
    if not out.balances:
        typer.echo("No balance yet.")


@app.command("transaction")
def transaction(transaction_id: str, partner: Partner, as_json: Json = False) -> None:
    """The fate of a deposit or withdrawal, by the partner's transaction id."""

    async def work(session: AsyncSession) -> WalletTransactionOut:
        found = await transfers.find(session, partner_id=partner, transaction_id=transaction_id)
        return WalletTransactionOut.of(found)

    out = run_in_transaction(work)
    typer.echo(out.model_dump_json(indent=2) if as_json else _transaction_line(out))


def _transaction_line(out: WalletTransactionOut) -> str:
    refusal = f" ({out.refusal})" if out.refusal else ""
    amount = f"{to_major(out.amount, out.currency)} {out.currency}"
    when = f"{out.created_at:%Y-%m-%d %H:%M:%S}"
    return f"{when} {out.type.value} {amount} of {out.player_id}: {out.status}{refusal}"


@app.command("failures")
def list_failures(
    partner: Annotated[int | None, typer.Option("--partner", help="Only this partner's")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    as_json: Json = False,
) -> None:
    """Rounds whose calls to a partner's wallet were retried until the schedule was spent,
    oldest first, with every call and try."""

    async def work(session: AsyncSession) -> list[FailedRoundOut]:
        found = await failures.failed_rounds(session, partner_id=partner, limit=limit)
        return [FailedRoundOut.of(history) for history in found]

    found = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in found], indent=2))
        return
    if not found:
        typer.echo("No failed rounds.")
    for failed in found:
        _print_failure(failed)


def _print_failure(failed: FailedRoundOut) -> None:
    stake = f"{to_major(failed.stake, failed.currency)} {failed.currency}"
    typer.echo(f"{failed.id} {failed.game_id} stake {stake}: {failed.note or failed.status}")
    for call in failed.calls:
        typer.echo(f"  {call.kind} {call.transaction_id} {call.amount}: {call.status}")
        for tried in call.tries:
            typer.echo(
                f"    {tried.at:%Y-%m-%d %H:%M:%S} {tried.by:8} {tried.outcome}"
                + (f" ({tried.detail})" if tried.detail else "")
            )


@app.command("retry")
def retry(round_id: str, as_json: Json = False) -> None:
    """Try a failed round's call again, from the start of the retry schedule."""

    async def work(session: AsyncSession) -> FailedRoundOut:
        return FailedRoundOut.of(await failures.retry(session, partner_id=None, round_id=round_id))

    out = run_in_transaction(work)
    typer.echo(out.model_dump_json(indent=2) if as_json else f"{out.id}: {out.status} again")


@app.command("resolve")
def resolve(
    round_id: str,
    resolution: Annotated[Resolution, typer.Option("--as", help="credited or cancelled")],
    note: Annotated[str, typer.Option(help="What you checked, for the record")],
    as_json: Json = False,
) -> None:
    """Settle a failed round by hand: `credited` (the round stands, its return was paid) or
    `cancelled` (nothing is owed either way)."""
    if not note.strip():
        typer.secho("--note must say what was checked", fg="red", err=True)
        raise typer.Exit(2)

    async def work(session: AsyncSession) -> FailedRoundOut:
        history = await failures.resolve(
            session, partner_id=None, round_id=round_id, resolution=resolution, note=note.strip()
        )
        return FailedRoundOut.of(history)

    out = run_in_transaction(work)
    typer.echo(out.model_dump_json(indent=2) if as_json else f"{out.id}: {out.status}")
