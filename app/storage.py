"""Object storage: an S3-compatible bucket through boto3, or a local folder.

Keys are relative paths (``<tenant id>/documents/<id>.pdf``); both backends
store the same keys, so moving from the folder to S3 is a copy.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import boto3

from app.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class StorageKeyError(ValueError):
    """A key that is empty, absolute or climbs out of the storage root."""


def _checked(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts:
        raise StorageKeyError(key)
    return str(path)


class Storage(Protocol):
    """Where Socle keeps files."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there."""

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; ``KeyError`` if there are none."""

    async def check(self) -> None:
        """Raise if the storage cannot be used (for readiness checks)."""


@dataclass(frozen=True)
class LocalStorage:
    """A folder on the local disk, for the demo and development."""

    root: Path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.root / _checked(key)
        await asyncio.to_thread(self._write, path, data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)

    async def get(self, key: str) -> bytes:
        path = self.root / _checked(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise KeyError(key) from None

    async def check(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        if not await asyncio.to_thread(_writable, self.root):
            raise PermissionError(f"storage folder {self.root} is not writable")


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


@dataclass(frozen=True)
class S3Storage:
    """A bucket of an S3-compatible service."""

    client: S3Client
    bucket: str
    prefix: str = ""

    def _key(self, key: str) -> str:
        return f"{self.prefix}{_checked(key)}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    async def get(self, key: str) -> bytes:
        try:
            response = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            raise KeyError(key) from None
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body

    async def check(self) -> None:
        await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)


def make_storage(settings: Settings) -> Storage:
    """The storage ``SOCLE_STORAGE_URL`` names."""
    parts = urlsplit(settings.storage_url)
    if parts.scheme == "file":
        return LocalStorage(root=Path(parts.netloc + parts.path))
    prefix = parts.path.strip("/")
    client = boto3.client("s3", endpoint_url=settings.storage_endpoint_url, region_name=settings.storage_region)
    return S3Storage(client=client, bucket=parts.netloc, prefix=f"{prefix}/" if prefix else "")
