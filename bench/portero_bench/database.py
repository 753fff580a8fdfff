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

    def version(self) -> str:
        return asyncio.run(self._query("SHOW server_version"))
