"""The transfer wallet through the native API, on both databases: deposits, withdrawals,
idempotency by the partner's transaction id, the fate of a transfer, and rounds that never
overdraw nor double-apply whatever runs at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portero.http.runtime import Runtime
from portero.wallet.models import WalletAccount, WalletEntry
from tests.support.db import inspecting
from tests.support.factories import (
    PartnerFixture,
    create_launch,
    launch_body,
    make_partner,
    open_link,
    player_id,
    set_wallet,
)

SPINS = "/play/api/roulette/spins"
TABLE = "/play/api/roulette/table"


@pytest.fixture
async def partner(sessions: async_sessionmaker[AsyncSession], runtime: Runtime) -> PartnerFixture:
    made = await make_partner(sessions)
    await set_wallet(sessions, made, "transfer", secret_key=runtime.settings.signing_key)
    return made


def transfer(
    amount: int, transaction_id: str | None = None, currency: str = "EUR"
) -> dict[str, Any]:
    return {
        "transaction_id": transaction_id or "tx-" + uuid.uuid4().hex,
        "currency": currency,
        "amount": amount,
    }


async def post(
    client: httpx.AsyncClient, partner: PartnerFixture, player: str, kind: str, body: Any
) -> httpx.Response:
    return await client.post(f"/v1/players/{player}/wallet/{kind}", json=body, headers=partner.auth)


async def balance_of(client: httpx.AsyncClient, partner: PartnerFixture, player: str) -> int:
    response = await client.get(f"/v1/players/{player}/wallet", headers=partner.auth)
    assert response.status_code == 200, response.text
    (eur,) = [b for b in response.json()["balances"] if b["currency"] == "EUR"]
    return int(eur["balance"])


async def test_a_deposit_then_a_withdrawal_move_the_balance_and_are_recorded(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    player = player_id()  # never launched: the deposit registers it
    response = await post(client, partner, player, "deposits", transfer(5_000, "dep-1"))
    assert response.status_code == 201, response.text
    deposit = response.json()
    assert deposit == deposit | {
        "object": "wallet_transaction",
        "id": "dep-1",
        "type": "deposit",
        "player_id": player,
        "currency": "EUR",
        "amount": 5_000,
        "status": "completed",
        "refusal": None,
        "balance_after": 5_000,
    }
    response = await post(client, partner, player, "withdrawals", transfer(1_250, "wd-1"))
    assert response.status_code == 201, response.text
    assert response.json()["balance_after"] == 3_750
    assert await balance_of(client, partner, player) == 3_750
    found = await client.get("/v1/wallet/transactions/wd-1", headers=partner.auth)
    assert found.status_code == 200
    assert found.json() | {"created_at": None} == response.json() | {"created_at": None}


async def test_the_same_transaction_id_answers_the_first_outcome_and_moves_money_once(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    player = player_id()
    first = await post(client, partner, player, "deposits", transfer(1_000, "again"))
    repeat = await post(client, partner, player, "deposits", transfer(1_000, "again"))
    assert repeat.status_code == 201
    assert repeat.headers["idempotent-replayed"] == "true"
    assert repeat.json() == first.json()
    assert await balance_of(client, partner, player) == 1_000
    other = await post(client, partner, player, "deposits", transfer(2_000, "again"))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "transaction_id_reused"
    as_withdrawal = await post(client, partner, player, "withdrawals", transfer(1_000, "again"))
    assert as_withdrawal.json()["error"]["code"] == "transaction_id_reused"
    assert await balance_of(client, partner, player) == 1_000


async def test_a_withdrawal_never_overdraws_and_its_refusal_can_be_looked_up(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    player = player_id()
    await post(client, partner, player, "deposits", transfer(1_000))
    response = await post(client, partner, player, "withdrawals", transfer(1_001, "too-much"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_funds"
    # The fate of a call that timed out on the partner's side is readable…
    fate = (await client.get("/v1/wallet/transactions/too-much", headers=partner.auth)).json()
    assert (fate["status"], fate["refusal"], fate["balance_after"]) == (
        "refused",
        "insufficient_funds",
        1_000,
    )
    # …and the same request again answers the same refusal, even once the money is there.
    await post(client, partner, player, "deposits", transfer(5_000))
    again = await post(client, partner, player, "withdrawals", transfer(1_001, "too-much"))
    assert again.status_code == 409
    assert again.headers["idempotent-replayed"] == "true"
    assert await balance_of(client, partner, player) == 6_000


async def test_refusals_of_the_wallet_endpoints(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    unknown = await post(client, partner, "nobody-" + uuid.uuid4().hex, "withdrawals", transfer(1))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "resource_missing")
    missing = await client.get("/v1/wallet/transactions/never-sent", headers=partner.auth)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "resource_missing")
    for body, param in (
        (transfer(0), "amount"),
        (transfer(-5), "amount"),
        (transfer(10, currency="XXX1"), "currency"),
        (transfer(10, transaction_id="a/b"), "transaction_id"),
        ({"transaction_id": "x", "currency": "EUR", "amount": "10"}, "amount"),
        (transfer(10) | {"extra": 1}, "extra"),
    ):
        response = await post(client, partner, player_id(), "deposits", body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["param"] == param
    too_long = await post(client, partner, "p" * 129, "deposits", transfer(10))
    assert (too_long.status_code, too_long.json()["error"]["param"]) == (400, "player_id")
    rich = player_id()
    assert (await post(client, partner, rich, "deposits", transfer(10**15))).status_code == 201
    for _ in range(99):
        await post(client, partner, rich, "deposits", transfer(10**15))
    over = await post(client, partner, rich, "deposits", transfer(1))
    assert (over.status_code, over.json()["error"]["param"]) == (400, "amount")
    demo = await make_partner(sessions)  # demo mode: no balances with Portero
    response = await post(client, demo, player_id(), "deposits", transfer(10))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "wallet_mode_mismatch")
    response = await client.post(f"/v1/players/{player_id()}/wallet/deposits", json=transfer(10))
    assert response.status_code == 401


async def test_another_partner_never_sees_a_transfer(
    client: httpx.AsyncClient,
    partner: PartnerFixture,
    sessions: async_sessionmaker[AsyncSession],
    runtime: Runtime,
) -> None:
    player = player_id()
    await post(client, partner, player, "deposits", transfer(700, "mine"))
    other = await make_partner(sessions)
    await set_wallet(sessions, other, "transfer", secret_key=runtime.settings.signing_key)
    response = await client.get("/v1/wallet/transactions/mine", headers=other.auth)
    assert response.status_code == 404
    response = await client.get(f"/v1/players/{player}/wallet", headers=other.auth)
    assert response.status_code == 404
    # The other partner may use the same transaction id for its own transfers.
    response = await post(client, other, player, "deposits", transfer(5, "mine"))
    assert response.status_code == 201


async def test_rounds_play_real_money_only_once_it_is_deposited(
    client: httpx.AsyncClient, partner: PartnerFixture
) -> None:
    body = launch_body()
    auth = await open_link(client, await create_launch(client, partner, body))
    table = (await client.get(TABLE, headers=auth)).json()
    assert (table["balance"], table["wallet"]) == (0, {"mode": "transfer", "play_money": False})
    bet = [{"type": "red", "amount": 100}]
    refused = await client.post(SPINS, json={"round_id": "r1", "bets": bet}, headers=auth)
    assert refused.json()["error"]["code"] == "insufficient_funds"
    await post(client, partner, body["player"]["id"], "deposits", transfer(1_000))
    played = await client.post(SPINS, json={"round_id": "r2", "bets": bet}, headers=auth)
    assert played.status_code == 200, played.text
    result = played.json()
    assert result["balance"] == 1_000 - 100 + result["round"]["total_return"]
    assert await balance_of(client, partner, body["player"]["id"]) == result["balance"]


async def test_concurrent_transfers_and_rounds_never_overdraw_nor_apply_an_id_twice(
    client: httpx.AsyncClient, partner: PartnerFixture, sessions: async_sessionmaker[AsyncSession]
) -> None:
    body = launch_body()
    player = body["player"]["id"]
    auth = await open_link(client, await create_launch(client, partner, body))
    await post(client, partner, player, "deposits", transfer(2_000, "seed"))
    tag = uuid.uuid4().hex[:8]
    withdrawals = [transfer(300, f"{tag}-w{i % 6}") for i in range(12)]  # each id sent twice
    spins = [
        client.post(
            SPINS,
            json={"round_id": uuid.uuid4().hex, "bets": [{"type": "black", "amount": 200}]},
            headers=auth,
        )
        for _ in range(6)
    ]
    answers = await asyncio.gather(
        *(post(client, partner, player, "withdrawals", w) for w in withdrawals), *spins
    )
    assert all(a.status_code in (200, 201, 409) for a in answers), [a.text for a in answers]
    completed = {a.json()["id"] for a in answers[:12] if a.status_code == 201}
    rounds = [a.json()["round"] for a in answers[12:] if a.status_code == 200]
    expected = (
        2_000 - 300 * len(completed) - sum(r["total_stake"] - r["total_return"] for r in rounds)
    )
    final = await balance_of(client, partner, player)
    assert final == expected >= 0
    async with inspecting(sessions) as session:
        per_reference = await session.execute(
            select(WalletEntry.reference, func.count())
            .join(WalletAccount, WalletAccount.id == WalletEntry.account_id)
            .where(
                WalletEntry.reference.like(f"transfer:{tag}-%"), WalletAccount.mode == "transfer"
            )
            .group_by(WalletEntry.reference)
        )
        counts = dict(per_reference.all())
    assert set(counts.values()) <= {1}
    assert {ref.removeprefix("transfer:") for ref in counts} == completed
