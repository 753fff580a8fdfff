"""The storage interface: bytes kept under a key Portero makes (never one a user chose), read
back whole, removed. Every implementation runs its blocking work off the event loop, and every
call to a remote store has a timeout."""

from __future__ import annotations

import re
from typing import Protocol

from portero.settings import Settings

# Keys are Portero's own ids: nothing a user typed reaches a path or an object name.
_KEY = re.compile(r"^[a-z][a-z0-9_]{2,63}$")


class BlobMissing(Exception):
    """Nothing is kept under that key (removed, or never written)."""


class BlobStoreUnavailable(Exception):
    """The store could not be reached or refused the operation: try again later."""


class BlobStore(Protocol):
    async def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def remove(self, key: str) -> None: ...


def checked_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def create_store(settings: Settings) -> BlobStore:
    """The store the settings name (`PORTERO_FILES_STORE`)."""
    if settings.files_store == "s3":
        from portero.blobs.s3 import S3Store

        return S3Store.of(settings)
    from portero.blobs.directory import DirectoryStore

    return DirectoryStore(settings.files_directory)
