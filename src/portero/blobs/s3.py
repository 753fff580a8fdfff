"""S3-compatible object storage (AWS S3, MinIO, Ceph, R2…) through boto3, its calls in a thread
so the event loop never waits on the network, each bounded by the connect and read timeouts.

Credentials come the way boto3 looks for them (`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`,
a profile, an instance role): Portero keeps none of its own."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from portero.blobs.store import BlobMissing, BlobStoreUnavailable, checked_key
from portero.settings import Settings

_TIMEOUTS = {"connect_timeout": 3.0, "read_timeout": 10.0}
_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Store:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def of(cls, settings: Settings) -> S3Store:
        if not settings.files_s3_bucket:
            raise ValueError("PORTERO_FILES_STORE=s3 needs PORTERO_FILES_S3_BUCKET")
        client = boto3.client(
            "s3",
            endpoint_url=settings.files_s3_endpoint_url or None,
            region_name=settings.files_s3_region or None,
            config=Config(**_TIMEOUTS, retries={"max_attempts": 3, "mode": "standard"}),
        )
        return cls(client, settings.files_s3_bucket, settings.files_s3_prefix)

    def _name(self, key: str) -> str:
        return self.prefix + checked_key(key)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await self._call(
            self.client.put_object,
            Bucket=self.bucket,
            Key=self._name(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        answer = await self._call(self.client.get_object, Bucket=self.bucket, Key=self._name(key))
        body = answer["Body"]
        try:
            data: bytes = await asyncio.to_thread(body.read)
        except (BotoCoreError, OSError) as error:
            raise BlobStoreUnavailable(str(error)) from error
        finally:
            body.close()
        return data

    async def remove(self, key: str) -> None:
        await self._call(self.client.delete_object, Bucket=self.bucket, Key=self._name(key))

    async def _call(self, operation: Any, **arguments: Any) -> Any:
        try:
            return await asyncio.to_thread(operation, **arguments)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise BlobMissing(arguments.get("Key", "")) from None
            raise BlobStoreUnavailable(code or str(error)) from error
        except (BotoCoreError, OSError) as error:
            raise BlobStoreUnavailable(str(error)) from error
