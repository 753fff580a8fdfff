"""A local S3-compatible server (moto's server mode) on loopback, with a bucket, for the file
store's tests: real HTTP, real boto3, no AWS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.browsing import free_port

BUCKET = "portero-files"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str


@contextmanager
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """The server running, the bucket made, and the credentials boto3 reads set for the test."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "portero-test",
        "AWS_SECRET_ACCESS_KEY": "portero-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield S3Server(endpoint, BUCKET)
    finally:
        server.stop()
