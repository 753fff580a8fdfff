"""Resuming a play session on a bare asyncpg connection (PostgreSQL): every call of a product
page starts here, so it is one statement (two, once a minute, when the idle expiry moves),
sent without BEGIN/COMMIT, rather than a SQLAlchemy session's round trips and its
compilation (the same query as `session_repository.session_by_token_hash`; the tests run
both)."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from portero.kit.clock import utcnow
from portero.kit.pg_pool import FairPool
from portero.launches.opening import PlayContext, resumed_from, token_hash_of

SESSION_BY_HASH = """
SELECT s.id, s.launch_id, s.idle_seconds, s.created_at, s.last_seen_at, s.idle_expires_at,
       s.expires_at, s.ended_at, s.wallet_sid, s.net_loss, s.reality_check_due_at,
       s.end_reason, l.status AS launch_status, l.partner_id, l.product, l.params, l.language,
       l.currency, l.return_url, l.partner_session_id, l.limits,
       pa.return_url AS partner_return_url, pa.wallet_mode, pa.status AS partner_status,
       pa.products AS partner_products, pa.currency_terms AS partner_terms,
       pa.autoplay AS partner_autoplay, pl.id AS player_key, pl.external_id, pl.nickname,
       pl.name,
       EXISTS (SELECT 1 FROM webhook_endpoint w
               WHERE w.partner_id = l.partner_id AND w.status = 'enabled') AS webhooks
FROM play_session s
JOIN launch l ON l.id = s.launch_id
JOIN partner pa ON pa.id = l.partner_id
JOIN player pl ON pl.id = l.player_id
WHERE s.token_hash = $1"""

TOUCH_SESSION = "UPDATE play_session SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1"

_JSON_COLUMNS = ("params", "limits", "partner_products", "partner_terms")


def _decoded(row: asyncpg.Record) -> dict[str, Any]:
    values = dict(row)
    for column in _JSON_COLUMNS:
        if values[column] is not None:
            values[column] = json.loads(values[column])
    return values


async def resume(pool: FairPool, *, token: str | None, wait_seconds: float) -> PlayContext:
    """As `opening.resume`, on one of the process's own connections."""
    token_hash = token_hash_of(token)
    async with pool.acquire(wait_seconds=wait_seconds) as connection:
        row = await connection.fetchrow(SESSION_BY_HASH, token_hash)
        resumed = resumed_from(None if row is None else _decoded(row), utcnow())
        if resumed.touch:
            context = resumed.context
            await connection.execute(
                TOUCH_SESSION, context.session_id, resumed.now, context.idle_expires_at
            )
    return resumed.context
