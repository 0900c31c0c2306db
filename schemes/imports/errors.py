"""Errors of imports."""

from tenants.errors import DomainError


class ImportProblem(DomainError):
    """Base of the imports' errors."""


class ImportNotFound(ImportProblem):
    code = "imports.IMPORT_NOT_FOUND"


class InvalidFileName(ImportProblem):
    code = "imports.INVALID_FILE_NAME"


class UnsupportedFileType(ImportProblem):
    """Neither a CSV nor an XLSX file, by its declared type or its name's extension."""

    code = "imports.UNSUPPORTED_FILE_TYPE"


class FileTooLarge(ImportProblem):
    code = "imports.FILE_TOO_LARGE"


class FileNotUploaded(ImportProblem):
    """Submitted before the file reached storage."""

    code = "imports.FILE_NOT_UPLOADED"


class FileSizeMismatch(ImportProblem):
    """The stored file is not the size declared when the import started."""

    code = "imports.FILE_SIZE_MISMATCH"
