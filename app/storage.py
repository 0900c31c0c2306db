"""Object storage: an S3-compatible bucket through boto3, or a local folder.

Keys are relative paths (``<tenant id>/documents/<id>``); both backends
store the same keys, so moving from the folder to S3 is a copy. Clients
send documents straight to the storage with signed forms and read them
with signed links: S3's presigned POST and GET, or, for the local folder,
Socle's own ``/files`` routes (:mod:`app.storage_http`) signed with a key
derived from the secret key.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote, urlencode, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.settings import Settings
from schemes.documents.storage import DocumentStore, StoredObject, UploadForm
from schemes.imports.service import ImportFiles

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

HEAD_BYTES = 16
"""How many first bytes :meth:`stat` reads to tell a file's real format."""


class StorageKeyError(ValueError):
    """A key that is empty, absolute or climbs out of the storage root."""


def _checked(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts:
        raise StorageKeyError(key)
    return str(path)


class Storage(DocumentStore, ImportFiles, Protocol):
    """Where Socle keeps files."""

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; ``KeyError`` if there are none."""

    async def check(self) -> None:
        """Raise if the storage cannot be used (for readiness checks)."""


@dataclass(frozen=True)
class LinkSigner:
    """Signs and checks the local folder's upload forms and download links
    (HMAC-SHA256 under a key derived from the secret key, with an expiry)."""

    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> LinkSigner:
        """A signer whose key is derived from ``secret`` for storage links only."""
        return cls(hmac.new(secret.encode(), b"socle storage links", hashlib.sha256).digest())

    def sign(self, purpose: str, key: str, content_type: str, size: int | None, expires: int) -> str:
        """The signature of one operation on one key until ``expires`` (Unix time)."""
        message = "\n".join([purpose, key, content_type, "" if size is None else str(size), str(expires)])
        return hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()

    def valid(self, signature: str, purpose: str, key: str, content_type: str, size: int | None, expires: int) -> bool:
        """Whether ``signature`` is this operation's, still unexpired (constant time)."""
        expected = self.sign(purpose, key, content_type, size, expires)
        return hmac.compare_digest(expected, signature) and time.time() < expires


def _expiry(expires_in: int) -> tuple[int, datetime]:
    expires = int(time.time()) + expires_in
    return expires, datetime.fromtimestamp(expires, UTC)


@dataclass(frozen=True)
class LocalStorage:
    """A folder on the local disk, for the demo and development; Socle itself
    serves its signed upload and download routes under ``base_url``."""

    root: Path
    signer: LinkSigner | None = None
    base_url: str = ""
    max_bytes: int = 10_485_760

    def path(self, key: str) -> Path:
        """Where the file of ``key`` lies."""
        return self.root / _checked(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` with its content type (the folder keeps no metadata of its own)."""
        path = self.path(key)
        await asyncio.to_thread(self._write, path, data)
        await asyncio.to_thread(self._write, path.with_name(path.name + ".type"), content_type.encode())

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A part of its own per write: two writes of one key at once (a job
        # delivered twice) each replace the file whole, never each other's part.
        temporary = path.with_name(f"{path.name}.{os.urandom(8).hex()}.part")
        temporary.write_bytes(data)
        temporary.replace(path)

    async def get(self, key: str) -> bytes:
        path = self.path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise KeyError(key) from None

    async def check(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        if not await asyncio.to_thread(_writable, self.root):
            raise PermissionError(f"storage folder {self.root} is not writable")

    def _signer(self) -> LinkSigner:
        if self.signer is None:
            raise RuntimeError("the local storage signs links only with the secret key")
        return self.signer

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        key = _checked(key)
        expires, expires_at = _expiry(expires_in)
        signature = self._signer().sign("upload", key, content_type, size, expires)
        fields = [
            ("key", key),
            ("Content-Type", content_type),
            ("size", str(size)),
            ("expires", str(expires)),
            ("signature", signature),
        ]
        return UploadForm(url=f"{self.base_url}/files/upload", method="POST", fields=fields, expires_at=expires_at)

    async def stat(self, key: str) -> StoredObject | None:
        return await asyncio.to_thread(self._stat, self.path(key))

    @staticmethod
    def _stat(path: Path) -> StoredObject | None:
        meta = path.with_name(path.name + ".type")
        try:
            with path.open("rb") as file:
                head = file.read(HEAD_BYTES)
            return StoredObject(content_type=meta.read_text(), size=path.stat().st_size, head=head)
        except FileNotFoundError:
            return None

    async def download(self, key: str, path: Path) -> None:
        """Copy the file of ``key`` to ``path``; ``KeyError`` if there is none."""
        try:
            await asyncio.to_thread(shutil.copyfile, self.path(key), path)
        except FileNotFoundError:
            raise KeyError(key) from None

    def download_url(self, key: str, content_type: str, expires_in: int) -> str:
        key = _checked(key)
        expires, _ = _expiry(expires_in)
        signature = self._signer().sign("download", key, content_type, None, expires)
        query = urlencode({"type": content_type, "expires": expires, "signature": signature})
        return f"{self.base_url}/files/{quote(key)}?{query}"

    async def delete(self, key: str) -> None:
        path = self.path(key)
        for file in (path, path.with_name(path.name + ".type")):
            await asyncio.to_thread(file.unlink, missing_ok=True)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


@dataclass(frozen=True)
class S3Storage:
    """A bucket of an S3-compatible service."""

    client: S3Client
    bucket: str
    prefix: str = ""
    max_bytes: int = 10_485_760

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

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        # S3 refuses a POST whose Content-Type field or file size breaks the signed policy.
        presigned = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=self._key(key),
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=expires_in,
        )
        return UploadForm(
            url=presigned["url"],
            method="POST",
            fields=list(presigned["fields"].items()),
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        )

    async def stat(self, key: str) -> StoredObject | None:
        try:
            head = await asyncio.to_thread(self.client.head_object, Bucket=self.bucket, Key=self._key(key))
            start = await asyncio.to_thread(
                self.client.get_object, Bucket=self.bucket, Key=self._key(key), Range=f"bytes=0-{HEAD_BYTES - 1}"
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        first: bytes = await asyncio.to_thread(start["Body"].read)
        return StoredObject(content_type=head.get("ContentType", ""), size=head["ContentLength"], head=first)

    def download_url(self, key: str, content_type: str, expires_in: int) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._key(key), "ResponseContentType": content_type},
            ExpiresIn=expires_in,
        )
        return url

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def download(self, key: str, path: Path) -> None:
        """Copy the object of ``key`` to ``path``, in parts (never whole in memory)."""
        try:
            await asyncio.to_thread(self.client.download_file, self.bucket, self._key(key), str(path))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise KeyError(key) from None
            raise


def make_storage(settings: Settings, secret: str | None = None) -> Storage:
    """The storage ``SOCLE_STORAGE_URL`` names; the local folder signs its
    links with a key derived from ``secret`` (none: it signs none)."""
    parts = urlsplit(settings.storage_url)
    if parts.scheme == "file":
        return LocalStorage(
            root=Path(parts.netloc + parts.path),
            signer=LinkSigner.from_secret(secret) if secret else None,
            base_url=settings.public_address,
            max_bytes=settings.document_max_bytes,
        )
    prefix = parts.path.strip("/")
    # Signature version 4: the only one every AWS region accepts for presigned forms and links.
    client = boto3.client(
        "s3",
        endpoint_url=settings.storage_endpoint_url,
        region_name=settings.storage_region,
        config=Config(signature_version="s3v4"),
    )
    return S3Storage(
        client=client, bucket=parts.netloc, prefix=f"{prefix}/" if prefix else "", max_bytes=settings.document_max_bytes
    )
