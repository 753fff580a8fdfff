"""The calls a seamless round makes to its partner's wallet: what each carries (kept as the
delivery's payload, so that a retry sends exactly the same movement), and sending one.

A round makes one debit (its whole stake) and one credit (its whole return, `0.00` on a loss),
or, when the debit's fate was unknown and it turned out to have gone through, one cancel by
the debit's own transaction id. `game.id` is the round's id, `game.type` `roulette` or
`slots`, the table the game's id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from portero.http.runtime import Runtime
from portero.kit.ids import new_id
from portero.launches.opening import PlayContext
from portero.wallet.onewallet import wire
from portero.wallet.onewallet.client import CallResult, Endpoint, no_reply

DEBIT = "wallet.debit"
CREDIT = "wallet.credit"
CANCEL = "wallet.cancel"
KINDS = (DEBIT, CREDIT, CANCEL)


def wallet_sid(context: PlayContext) -> str:
    """The sid a seamless wallet knows the session by: the one its `check` answered, else the
    partner's own; a seed 000 launch carries none, and sends its launch id (docs/wallets.md)."""
    return context.wallet_sid or context.partner_session_id or context.launch_id


def lease_end(runtime: Runtime, endpoint: Endpoint | None, now: datetime) -> datetime:
    """The end of the claim a round's request holds on the call it makes itself: the call's
    timeout and a margin to record it."""
    timeout = endpoint.timeout_seconds if endpoint else runtime.settings.wallet_timeout_seconds
    return now + timedelta(seconds=timeout + runtime.settings.delivery_lease_margin_seconds)


def debit_payload(
    *,
    round_id: str,
    user_id: str,
    sid: str,
    currency: str,
    game_type: str,
    table_id: str,
    amount: Decimal,
) -> dict[str, Any]:
    transaction_id = new_id("wtx")
    return {
        "method": "debit",
        "user_id": user_id,
        "sid": sid,
        "currency": currency,
        "game": {"id": round_id, "type": game_type, "table_id": table_id},
        "transaction_id": transaction_id,
        # A debit is its own reference: the credit or cancel that follows names it.
        "ref_id": transaction_id,
        "amount": wire.two_decimal_text(amount),
    }


def credit_payload(debit: Mapping[str, Any], amount: Decimal) -> dict[str, Any]:
    """The round's one credit, naming its debit; the sid may have expired by the time it is
    delivered, which One Wallet wallets must accept."""
    return dict(debit) | {
        "method": "credit",
        "transaction_id": new_id("wtx"),
        "ref_id": debit["transaction_id"],
        "amount": wire.two_decimal_text(amount),
    }


def cancel_payload(debit: Mapping[str, Any]) -> dict[str, Any]:
    """Giving a debit back: executed by the debit's own id; its amount is only a check."""
    return dict(debit) | {"method": "cancel"}


def wire_body(payload: Mapping[str, Any]) -> dict[str, Any]:
    game = payload["game"]
    return wire.transaction_body(
        sid=payload["sid"],
        user_id=payload["user_id"],
        currency=payload["currency"],
        game=wire.GameRef(id=game["id"], type=game["type"], table_id=game["table_id"]),
        transaction_id=payload["transaction_id"],
        ref_id=payload["ref_id"],
        amount=Decimal(payload["amount"]),
        uuid=str(uuid.uuid4()),
    )


async def send(
    runtime: Runtime, endpoint: Endpoint | None, payload: Mapping[str, Any]
) -> CallResult:
    method = str(payload["method"])
    if endpoint is None:  # its configuration changed, or its token cannot be read: retry later
        return no_reply(method, "not_configured", detail="the partner has no wallet to call")
    return await runtime.wallet_clients.call(endpoint, method, wire_body(payload))
