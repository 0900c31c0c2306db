"""Tables of documents: what Socle knows of each file it keeps in object storage."""

from enum import StrEnum

from piccolo.columns import UUID, Integer, Timestamptz, Varchar

from tenants.tables import TenantTable


class DocumentKind(StrEnum):
    """What a file shows."""

    IDENTITY_DOCUMENT = "identity_document"
    """A scan of an identity document (card, passport, birth certificate...)."""
    PHOTO = "photo"
    """The member's photo, for the card."""
    PROOF_OF_TRADE = "proof_of_trade"
    """Proof of an artisan's trade (chamber of trades card, trades-register extract)."""
    CERTIFICATE = "certificate"
    """A certificate (school attendance, marriage, employment...)."""


class DocumentStatus(StrEnum):
    """Whether the file has reached the storage."""

    PENDING = "pending"
    """Upload started: the client was given its signed form."""
    STORED = "stored"
    """The storage holds the file with the declared type and size."""


class Document(TenantTable, tablename="documents"):
    """A file attached to a member, stored under ``<tenant id>/documents/<id>``."""

    member_id = UUID()
    kind = Varchar(length=32, choices=DocumentKind)
    content_type = Varchar(length=64)
    size = Integer()
    """Bytes, as declared at the start and checked at completion."""
    status = Varchar(length=16, choices=DocumentStatus, default=DocumentStatus.PENDING)
    created_at = Timestamptz()
    stored_at = Timestamptz(null=True, default=None)
