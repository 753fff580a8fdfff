"""The hot-path queries on a bare asyncpg connection (PostgreSQL).

The same statements as `repository.py` builds with SQLAlchemy for SQLite, written out for
PostgreSQL: issuing a link is one statement (player upsert and launch insert in CTEs), opening
one is an UPDATE and an INSERT. Column lists come from the same record definitions, so a new
launch field cannot be forgotten here without the tests noticing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import asyncpg

from portero.launches.records import LAUNCH_FIELDS, PLAYER_FIELDS, LaunchRecord, PlayerRecord
from portero.launches.repository import LAUNCH_INSERT_COLUMNS, PLAYER_INSERT_COLUMNS
from portero.launches.store import ClaimedLaunch, LinkState, NewPlaySession, OpenWithEvents
from portero.products.registry import REUSABLE_LINK_PRODUCTS

_MERGED = ("name", "nickname", "email", "cellphone", "language", "currency")
_RETURNED_LAUNCH = ", ".join(f"l.{f}" for f in LAUNCH_FIELDS)
_RETURNED_PLAYER = ", ".join(f"p.{f} AS player_{f}" for f in PLAYER_FIELDS)


def _insert_sql() -> str:
    player_columns = ", ".join(PLAYER_INSERT_COLUMNS)
    player_values = ", ".join(f"${i}" for i in range(1, len(PLAYER_INSERT_COLUMNS) + 1))
    merged = ", ".join(f"{f} = COALESCE(EXCLUDED.{f}, player.{f})" for f in _MERGED)
    changed = " OR ".join(
        f"COALESCE(EXCLUDED.{f}, player.{f}) IS DISTINCT FROM player.{f}" for f in _MERGED
    )
    first = len(PLAYER_INSERT_COLUMNS) + 1
    launch_params = {name: f"${first + i}" for i, name in enumerate(LAUNCH_INSERT_COLUMNS)}
    launch_params["params"] += "::json"
    launch_params["limits"] += "::json"
    defaults = first + len(LAUNCH_INSERT_COLUMNS)
    launch_columns = [*LAUNCH_INSERT_COLUMNS, "player_id", "language", "currency"]
    launch_values = [
        *launch_params.values(),
        "p.id",
        f"COALESCE(p.language, ${defaults})",
        f"COALESCE(p.currency, ${defaults + 1})",
    ]
    return f"""
WITH p AS (
    INSERT INTO player ({player_columns}) VALUES ({player_values})
    ON CONFLICT (partner_id, external_id) DO UPDATE SET {merged},
        updated_at = CASE WHEN {changed} THEN EXCLUDED.updated_at ELSE player.updated_at END
    RETURNING *
), l AS (
    INSERT INTO launch ({", ".join(launch_columns)})
    SELECT {", ".join(launch_values)} FROM p
    ON CONFLICT (partner_id, source, request_key) DO NOTHING
    RETURNING *
)
SELECT l.id IS NOT NULL AS inserted, {_RETURNED_LAUNCH}, {_RETURNED_PLAYER}
FROM p LEFT JOIN l ON true"""


INSERT_LAUNCH = _insert_sql()
# A keyed launch, first try: without the key's ON CONFLICT, a key already taken (or being
# taken by a request in flight) fails the whole statement on its unique index, player upsert
# included, so a new key costs one statement rather than BEGIN, statement, COMMIT.
_ON_KEY_CONFLICT = "    ON CONFLICT (partner_id, source, request_key) DO NOTHING\n"
assert _ON_KEY_CONFLICT in INSERT_LAUNCH
INSERT_NEW_KEY_LAUNCH = INSERT_LAUNCH.replace(_ON_KEY_CONFLICT, "")
BY_REQUEST_KEY = f"""
SELECT {_RETURNED_LAUNCH}, {_RETURNED_PLAYER}
FROM launch l JOIN player p ON p.id = l.player_id
WHERE l.partner_id = $1 AND l.source = $2 AND l.request_key = $3"""
RELEASE_REQUEST_KEY = "UPDATE launch SET request_key = NULL WHERE id = $1"
# Claim the launch and start its play session in one statement: atomic on its own.
_REUSABLE = ", ".join(f"'{name}'" for name in REUSABLE_LINK_PRODUCTS)
# A partner with an enabled webhook endpoint may want `launch.opened`, which must be recorded
# in the opening's transaction: its links are not claimed here (the second row says so) but by
# the SQLAlchemy store, in a transaction with the event. Everyone else's stay one statement.
_HOOKED = """EXISTS (SELECT 1 FROM webhook_endpoint w
                WHERE w.partner_id = {launch}.partner_id AND w.status = 'enabled')"""
# The play session's end, capped by the launch's session time limit (launches/limits.py; a
# NULL limit makes the second term NULL, which LEAST ignores), and its first reality check.
_ENDS = "LEAST($6, $2 + make_interval(secs => (limits ->> 'session_time_limit_seconds')::int))"
OPEN_LAUNCH = f"""
WITH claimed AS (
    UPDATE launch SET status = 'opened', opened_at = COALESCE(opened_at, $2)
    WHERE token_hash = $1 AND expires_at > $2
      AND (status = 'issued' OR (status = 'opened' AND product IN ({_REUSABLE})))
      AND NOT {_HOOKED.format(launch="launch")}
    RETURNING id, partner_id, product, language, session_idle_seconds, limits
), started AS (
    INSERT INTO play_session (id, launch_id, token_hash, idle_seconds, client_ip, created_at,
                              last_seen_at, idle_expires_at, expires_at, ended_at,
                              reality_check_due_at)
    SELECT $3, id, $4, session_idle_seconds, $5, $2, $2,
           LEAST($2 + make_interval(secs => session_idle_seconds), {_ENDS}), {_ENDS}, NULL,
           $2 + make_interval(secs => (limits ->> 'reality_check_seconds')::int)
    FROM claimed
)
SELECT id, partner_id, product, language, session_idle_seconds, FALSE AS hooked FROM claimed
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, TRUE
WHERE NOT EXISTS (SELECT 1 FROM claimed)
  AND EXISTS (SELECT 1 FROM launch l WHERE l.token_hash = $1 AND {_HOOKED.format(launch="l")})"""
LINK_STATE = """
SELECT l.id, l.status, l.product, l.language, COALESCE(l.return_url, pa.return_url) AS return_url,
       pa.frame_ancestors
FROM launch l JOIN partner pa ON pa.id = l.partner_id
WHERE l.token_hash = $1"""


def _record(row: asyncpg.Record) -> LaunchRecord:
    launch = {f: row[f] for f in LAUNCH_FIELDS}
    launch["params"] = json.loads(launch["params"])
    if launch["limits"] is not None:
        launch["limits"] = json.loads(launch["limits"])
    player = PlayerRecord(**{f: row[f"player_{f}"] for f in PLAYER_FIELDS})
    return LaunchRecord(**launch, player=player)


class AsyncpgLaunchStore:
    """A unit of work on one connection. The common cases are one statement each (issuing a
    link without a request key, opening a link), atomic by themselves: they run without
    BEGIN and COMMIT, two round trips fewer. Anything else starts a transaction first."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self._transaction: Any = None
        self._after_commit: list[Callable[[], None]] = []

    async def _begin(self) -> None:
        if self._transaction is None:
            self._transaction = self.connection.transaction()
            await self._transaction.start()

    async def finish(self, *, commit: bool) -> None:
        if self._transaction is not None:
            transaction, self._transaction = self._transaction, None
            await (transaction.commit() if commit else transaction.rollback())

    async def insert_launch(
        self,
        *,
        player: Mapping[str, Any],
        launch: Mapping[str, Any],
        default_language: str,
        default_currency: str,
        may_refuse: bool = False,
    ) -> LaunchRecord | None:
        limits = launch["limits"]
        launch_values = dict(launch) | {
            "params": json.dumps(launch["params"]),
            "limits": None if limits is None else json.dumps(limits),
        }
        arguments = (
            *(player[c] for c in PLAYER_INSERT_COLUMNS),
            *(launch_values[c] for c in LAUNCH_INSERT_COLUMNS),
            default_language,
            default_currency,
        )
        keyed = launch["request_key"] is not None
        if keyed and not may_refuse and self._transaction is None:
            try:
                return _record(await self.connection.fetchrow(INSERT_NEW_KEY_LAUNCH, *arguments))
            except asyncpg.UniqueViolationError:
                pass  # the key is taken: nothing was written; the transaction below finds it
        if keyed or may_refuse:
            # The key may be taken already, or the caller may refuse the launch: the replay
            # or refusal that follows must see, and may have to undo, this statement's player
            # upsert.
            await self._begin()
        row = await self.connection.fetchrow(INSERT_LAUNCH, *arguments)
        return _record(row) if row is not None and row["inserted"] else None

    async def by_request_key(
        self, *, partner_id: int, source: str, request_key: str
    ) -> LaunchRecord | None:
        await self._begin()
        row = await self.connection.fetchrow(BY_REQUEST_KEY, partner_id, source, request_key)
        return _record(row) if row is not None else None

    async def release_request_key(self, launch_id: str) -> None:
        await self._begin()
        await self.connection.execute(RELEASE_REQUEST_KEY, launch_id)

    async def open_launch(
        self, *, token_hash: bytes, now: datetime, play_session: NewPlaySession
    ) -> ClaimedLaunch | None:
        row = await self.connection.fetchrow(
            OPEN_LAUNCH,
            token_hash,
            now,
            play_session.id,
            play_session.token_hash,
            play_session.client_ip,
            play_session.expires_at,
        )
        if row is None:
            return None
        if row["hooked"]:
            raise OpenWithEvents()
        return ClaimedLaunch(*list(row)[:5])

    async def link_state(self, token_hash: bytes) -> LinkState | None:
        row = await self.connection.fetchrow(LINK_STATE, token_hash)
        if row is None:
            return None
        return LinkState(
            id=row["id"],
            status=row["status"],
            product=row["product"],
            language=row["language"],
            return_url=row["return_url"],
            frame_ancestors=tuple(json.loads(row["frame_ancestors"]) or ()),
        )

    def after_commit(self, action: Callable[[], None]) -> None:
        self._after_commit.append(action)

    def committed(self) -> None:
        for action in self._after_commit:
            action()
        self._after_commit.clear()
