"""Documents of members: a client asks to upload a file, sends it straight to
object storage with the signed form it gets, then says it is done; Socle
checks the stored object before taking it. Links to read a file are signed
and short-lived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from schemes.documents import errors
from schemes.documents.storage import DocumentStore, UploadForm
from schemes.documents.tables import Document, DocumentKind, DocumentStatus
from schemes.members.tables import Member
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.scoping import across, within
from tenants.tx import Transaction

UPLOAD_EXPIRES_IN = 900
"""Seconds a signed upload form stays valid."""
DOWNLOAD_EXPIRES_IN = 300
"""Seconds a signed download link stays valid."""
OVERSIGHT_READ = "oversight.documents_read"

_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
CONTENT_TYPES = (*_SIGNATURES, "image/webp")


def real_type(head: bytes) -> str | None:
    """The format the first bytes of a file show, among those accepted."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for kind, starts in _SIGNATURES.items() if head.startswith(starts)), None)


def storage_key(document: Document) -> str:
    """Where the file lies: under its tenant's prefix."""
    return f"{document.tenant_id}/documents/{document.id}"


@dataclass(frozen=True)
class NewUpload:
    """What starting an upload declares."""

    member_id: UUID
    kind: DocumentKind
    content_type: str
    size: int


@dataclass(frozen=True)
class StartedUpload:
    """The pending document and the form to send its file with."""

    document: Document
    form: UploadForm


async def start_upload(tx: Transaction, ctx: TenantContext, store: DocumentStore, data: NewUpload) -> StartedUpload:
    """Record a pending document of a member of the context's tenant and sign
    the form that stores its file."""
    content_type = data.content_type.strip().lower()
    if content_type not in CONTENT_TYPES:
        raise errors.UnsupportedContentType(
            path=("input", "contentType"), content_type=data.content_type, allowed=", ".join(CONTENT_TYPES)
        )
    if not 1 <= data.size <= store.max_bytes:
        raise errors.InvalidDocumentSize(path=("input", "size"), maximum=store.max_bytes)
    if not await within(ctx, Member).exists().where(Member.id == data.member_id):
        raise errors.DocumentMemberNotFound(path=("input", "memberId"))
    documents = within(ctx, Document)
    document = documents.new(
        id=new_id(),
        member_id=data.member_id,
        kind=data.kind.value,
        content_type=content_type,
        size=data.size,
        status=DocumentStatus.PENDING.value,
        created_at=datetime.now(UTC),
    )
    await documents.insert(document)
    await audit.record_change(
        tx,
        ctx,
        "document.upload_start",
        "document",
        document.id,
        member=str(data.member_id),
        kind=data.kind.value,
        content_type=content_type,
        size=str(data.size),
    )
    form = store.upload_form(storage_key(document), content_type, data.size, UPLOAD_EXPIRES_IN)
    return StartedUpload(document=document, form=form)


async def receive(tx: Transaction, ctx: TenantContext, store: DocumentStore, document_id: UUID, data: bytes) -> None:
    """Store the file of a pending document, sent to Socle itself rather than
    to the upload form (the pages do so). :func:`complete_upload` then checks
    it as it checks an upload."""
    document = await within(ctx, Document).objects().where(Document.id == document_id).first()
    if document is None or document.tenant_id != ctx.tenant_id or document.status != DocumentStatus.PENDING:
        raise errors.DocumentNotFound(path=("input", "documentId"))
    await store.put(storage_key(document), data, document.content_type)


async def complete_upload(tx: Transaction, ctx: TenantContext, store: DocumentStore, document_id: UUID) -> Document:
    """Take the stored file of a pending document once the storage holds it
    with the declared type and size and its bytes are of that type; a file
    that is not is removed. Completing again changes nothing."""
    document = await within(ctx, Document).objects().where(Document.id == document_id).first()
    if document is None or document.tenant_id != ctx.tenant_id:
        raise errors.DocumentNotFound(path=("input", "documentId"))
    if document.status == DocumentStatus.STORED:
        return document
    stored = await store.stat(storage_key(document))
    if stored is None:
        raise errors.DocumentNotUploaded(path=("input", "documentId"))
    if (stored.content_type, stored.size, real_type(stored.head)) != (
        document.content_type,
        document.size,
        document.content_type,
    ):
        await store.delete(storage_key(document))
        raise errors.DocumentMismatch(
            path=("input", "documentId"), content_type=document.content_type, size=document.size
        )
    document.status, document.stored_at = DocumentStatus.STORED.value, datetime.now(UTC)
    await (
        within(ctx, Document)
        .update({Document.status: document.status, Document.stored_at: document.stored_at})
        .where(Document.id == document_id)
    )
    await audit.record_change(tx, ctx, "document.store", "document", document.id, size=str(document.size))
    return document


async def _record_reads(tx: Transaction, ctx: TenantContext, rows: list[Document]) -> None:
    for tenant_id in sorted({row.tenant_id for row in rows}):
        await audit.record_oversight_read(tx, ctx, tenant_id, OVERSIGHT_READ)


async def documents_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[Document]:
    """The documents among ``ids`` of every tenant the context may read (a ministry's read is recorded)."""
    if not ids:
        return []
    rows = list(await across(ctx, Document).objects().where(Document.id.is_in(ids)))
    await _record_reads(tx, ctx, rows)
    return rows


async def documents_of_members(tx: Transaction, ctx: TenantContext, member_ids: list[UUID]) -> list[list[Document]]:
    """Each member's documents, oldest first, in the order of ``member_ids``
    (one statement for all: a loader's batch)."""
    if not member_ids:
        return []
    rows = list(
        await across(ctx, Document)
        .objects()
        .where(Document.member_id.is_in(member_ids))
        .order_by(Document.created_at, Document.id)
    )
    await _record_reads(tx, ctx, rows)
    by_member: dict[UUID, list[Document]] = {member_id: [] for member_id in member_ids}
    for row in rows:
        by_member[row.member_id].append(row)
    return [by_member[member_id] for member_id in member_ids]


def download_url(store: DocumentStore, document: Document) -> str | None:
    """A short-lived link to a stored document's file; None while it is pending."""
    if document.status != DocumentStatus.STORED:
        return None
    return store.download_url(storage_key(document), document.content_type, DOWNLOAD_EXPIRES_IN)
