"""Errors of documents."""

from tenants.errors import DomainError


class DocumentError(DomainError):
    """Base of the documents' errors."""


class UnsupportedContentType(DocumentError):
    code = "schemes.UNSUPPORTED_CONTENT_TYPE"


class InvalidDocumentSize(DocumentError):
    code = "schemes.INVALID_DOCUMENT_SIZE"


class DocumentMemberNotFound(DocumentError):
    code = "schemes.DOCUMENT_MEMBER_NOT_FOUND"


class DocumentNotFound(DocumentError):
    code = "schemes.DOCUMENT_NOT_FOUND"


class DocumentNotUploaded(DocumentError):
    """The storage holds nothing under the document's key yet."""

    code = "schemes.DOCUMENT_NOT_UPLOADED"


class DocumentMismatch(DocumentError):
    """The stored file is not what was declared (type, size or real format)."""

    code = "schemes.DOCUMENT_MISMATCH"
