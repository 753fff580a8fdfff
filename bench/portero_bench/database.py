"""The PostgreSQL server the benchmark creates its scratch database in (and drops it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    async def _query(self, sql: str) -> str:
        """Run one statement in the maintenance database; its first value, if any."""
        connection = await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres", timeout=10
        )
        try:
            return str(await connection.fetchval(sql))
        finally:
            await connection.close()

    def create(self, name: str) -> None:
        asyncio.run(self._query(f'CREATE DATABASE "{name}"'))

    def drop(self, name: str) -> None:
        asyncio.run(self._query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def transactions(self, name: str) -> int:
        """Transactions committed in database `name` so far (each statement sent outside a
        transaction is one): what the server asks of PostgreSQL, read from the maintenance
        database so that reading it does not count."""
        return int(asyncio.run(self._transactions(name)))

    async def _transactions(self, name: str) -> int:
        connection = await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres", timeout=10
        )
        try:
            sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1"
            return int(await connection.fetchval(sql, name))
        finally:
            await connection.close()

    def version(self) -> str:
        return asyncio.run(self._query("SHOW server_version"))
