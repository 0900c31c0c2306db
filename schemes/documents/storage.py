"""What documents need of object storage: signed upload forms, the stored
object's details, short-lived download links. The app provides an
implementation (S3 or the local folder) under :data:`DOCUMENT_STORE`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tenants.services import ServiceKey


@dataclass(frozen=True)
class UploadForm:
    """How a client sends a file straight to the storage: a multipart/form-data
    POST to ``url`` with ``fields`` in order, then the file as the ``file`` field."""

    url: str
    method: str
    fields: list[tuple[str, str]]
    expires_at: datetime


@dataclass(frozen=True)
class StoredObject:
    """What the storage holds under a key."""

    content_type: str
    size: int
    head: bytes
    """The first bytes, which tell a file's real format."""


class DocumentStore(Protocol):
    """Object storage as documents use it."""

    @property
    def max_bytes(self) -> int:
        """Largest file accepted."""

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        """A form that lets a client store exactly ``size`` bytes of ``content_type`` under ``key``
        for ``expires_in`` seconds; the storage refuses anything else."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` of ``content_type`` under ``key``, replacing what was there."""

    async def stat(self, key: str) -> StoredObject | None:
        """The object under ``key``, None if there is none."""

    def download_url(self, key: str, content_type: str, expires_in: int) -> str:
        """A link that reads the object under ``key`` for ``expires_in`` seconds."""

    async def delete(self, key: str) -> None:
        """Remove the object under ``key``, if any."""


DOCUMENT_STORE: ServiceKey[DocumentStore] = ServiceKey("documents.store")
