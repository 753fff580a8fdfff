"""The file store, both ways it can be: a directory, and S3-compatible object storage (moto's
server on loopback, through boto3). What is put is read back whole, a key nobody wrote is
missing, removal is final, keys are Portero's ids only, and an unreachable store says so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from portero.blobs.directory import DirectoryStore
from portero.blobs.store import BlobMissing, BlobStore, BlobStoreUnavailable, create_store
from tests.conftest import make_settings
from tests.support.browsing import free_port
from tests.support.s3_server import s3_server

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(params=["directory", "s3"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BlobStore]:
    if request.param == "directory":
        yield create_store(make_settings("sqlite://", files_directory=tmp_path / "files"))
        return
    with s3_server(monkeypatch) as server:
        settings = make_settings(
            "sqlite://",
            files_store="s3",
            files_s3_bucket=server.bucket,
            files_s3_endpoint_url=server.endpoint_url,
            files_s3_prefix="calls/",
        )
        yield create_store(settings)


async def test_what_is_put_is_read_back_and_removed(store: BlobStore) -> None:
    await store.put("cf_01abc", PNG, content_type="image/png")
    assert await store.get("cf_01abc") == PNG
    await store.put("cf_01abc", b"%PDF-1.4", content_type="application/pdf")  # replaced whole
    assert await store.get("cf_01abc") == b"%PDF-1.4"
    await store.remove("cf_01abc")
    with pytest.raises(BlobMissing):
        await store.get("cf_01abc")
    await store.remove("cf_01abc")  # removing what is gone is not an error
    with pytest.raises(BlobMissing):
        await store.get("cf_never")


@pytest.mark.parametrize("key", ["../secret", "a", "cf_01/../../x", "CF_UPPER", "", "cf_01.png"])
async def test_keys_are_portero_ids_only(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await store.put(key, PNG, content_type="image/png")


async def test_a_directory_store_leaves_no_half_written_file(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "files")
    await store.put("cf_whole", PNG, content_type="image/png")
    assert sorted(os.listdir(tmp_path / "files")) == ["cf_whole"]  # the temporary name is gone
    (tmp_path / "blocked").write_text("a file where the directory should be")
    with pytest.raises(BlobStoreUnavailable):
        await DirectoryStore(tmp_path / "blocked").put("cf_x", PNG, content_type="image/png")


async def test_an_unreachable_object_store_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portero-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "portero-test-secret")
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    store = create_store(
        make_settings(
            "sqlite://", files_store="s3", files_s3_bucket="b", files_s3_endpoint_url=closed,
            files_s3_region="us-east-1",
        )
    )  # fmt: skip
    with pytest.raises(BlobStoreUnavailable):
        await store.put("cf_x", PNG, content_type="image/png")
    with pytest.raises(BlobStoreUnavailable):
        await store.get("cf_x")


def test_an_object_store_needs_its_bucket() -> None:
    with pytest.raises(ValueError, match="PORTERO_FILES_S3_BUCKET"):
        create_store(make_settings("sqlite://", files_store="s3"))
