"""GraphQL types, query and mutations of documents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.documents import errors
from schemes.documents import service as document_service
from schemes.documents.loaders import documents_by_id
from schemes.documents.storage import DOCUMENT_STORE
from schemes.documents.tables import Document as DocumentRow
from schemes.documents.tables import DocumentKind, DocumentStatus
from tenants.graphql import Info, decode_id, field, node_uuids, tenant_of
from tenants.mutations import mutation
from tenants.permissions import Permission
from tenants.tx import tenant_tx

strawberry.enum(DocumentKind, name="MemberDocumentKind", description="What a member's document shows.")
strawberry.enum(DocumentStatus, description="Whether a document's file has reached the storage.")


@strawberry.type(description="A photo or scan of a member's papers, kept in object storage.")
class Document(relay.Node):
    id: relay.NodeID[UUID]
    kind: DocumentKind
    content_type: str = strawberry.field(description="image/jpeg, image/png, image/webp or application/pdf.")
    size: int = strawberry.field(description="Bytes.")
    status: DocumentStatus
    created_at: datetime
    stored_at: datetime | None
    _row: strawberry.Private[DocumentRow]

    @classmethod
    def from_row(cls, row: DocumentRow) -> Document:
        """The GraphQL view of a document row."""
        return cls(
            id=row.id,
            kind=DocumentKind(row.kind),
            content_type=row.content_type,
            size=row.size,
            status=DocumentStatus(row.status),
            created_at=row.created_at,
            stored_at=row.stored_at,
            _row=row,
        )

    @field(
        f"A link that reads the file for {document_service.DOWNLOAD_EXPIRES_IN // 60} minutes; null until it is "
        "stored. Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    def url(self, info: Info) -> str | None:
        return document_service.download_url(info.context.services.get(DOCUMENT_STORE), self._row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Document | None]:
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(documents_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.id: row for row in found if row is not None}
        return [cls.from_row(by_id[i]) if i in by_id else None for i in ids]


@strawberry.type(description="One field of an upload form, to send in this order before the file.")
class UploadFormField:
    name: str
    value: str


@strawberry.type(
    description="Where and how to send a document's file: a multipart/form-data request to `url` with `method`, "
    "the `fields` in order, then the file as the last field, named `file`."
)
class DocumentUpload:
    document: Document
    url: str
    method: str
    fields: list[UploadFormField]
    expires_at: datetime


@strawberry.input(description="Start the upload of a member's document.")
class DocumentUploadStartInput:
    member_id: relay.GlobalID
    kind: DocumentKind
    content_type: str = strawberry.field(description="image/jpeg, image/png, image/webp or application/pdf.")
    size: int = strawberry.field(description="The file's exact size in bytes.")


@strawberry.input(description="Say that a document's file was sent.")
class DocumentUploadCompleteInput:
    document_id: relay.GlobalID


def _uuid(id: relay.GlobalID, type_name: str, error: errors.DocumentError) -> UUID:  # noqa: A002
    found = decode_id(id, type_name)
    if found is None:
        raise error
    return found


@strawberry.type
class Query:
    @field(
        "A document of the caller's tenant or of a tenant it supervises; null if there is none with this id. "
        "Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def document(self, info: Info, id: relay.GlobalID) -> Document | None:  # noqa: A002
        document_id = decode_id(id, "Document")
        if document_id is None:
            return None
        row = await info.context.loaders.get(documents_by_id).load(document_id)
        return Document.from_row(row) if row else None


@strawberry.type
class Mutation:
    @mutation(
        "Start the upload of a member's document: the answer says where to send the file, for 15 minutes. "
        "Requires `enrolment:write`.",
        errors=[errors.UnsupportedContentType, errors.InvalidDocumentSize, errors.DocumentMemberNotFound],
        permission=Permission.ENROLMENT_WRITE,
    )
    async def document_upload_start(self, info: Info, input: DocumentUploadStartInput) -> DocumentUpload:  # noqa: A002
        context = tenant_of(info)
        member_id = _uuid(input.member_id, "Member", errors.DocumentMemberNotFound(path=("input", "memberId")))
        data = document_service.NewUpload(
            member_id=member_id, kind=input.kind, content_type=input.content_type, size=input.size
        )
        store = info.context.services.get(DOCUMENT_STORE)
        async with tenant_tx(context) as tx:
            started = await document_service.start_upload(tx, context, store, data)
        form = started.form
        return DocumentUpload(
            document=Document.from_row(started.document),
            url=form.url,
            method=form.method,
            fields=[UploadFormField(name=name, value=value) for name, value in form.fields],
            expires_at=form.expires_at,
        )

    @mutation(
        "Take a document's file once it is sent: the storage must hold it with the declared type and size. "
        "Requires `enrolment:write`.",
        errors=[errors.DocumentNotFound, errors.DocumentNotUploaded, errors.DocumentMismatch],
        permission=Permission.ENROLMENT_WRITE,
    )
    async def document_upload_complete(self, info: Info, input: DocumentUploadCompleteInput) -> Document:  # noqa: A002
        context = tenant_of(info)
        document_id = _uuid(input.document_id, "Document", errors.DocumentNotFound(path=("input", "documentId")))
        store = info.context.services.get(DOCUMENT_STORE)
        async with tenant_tx(context) as tx:
            row = await document_service.complete_upload(tx, context, store, document_id)
        return Document.from_row(row)
