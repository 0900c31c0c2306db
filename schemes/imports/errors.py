"""Errors of imports."""

from schemes.imports import files
from tenants.errors import DomainError


class ImportProblem(DomainError):
    """Base of the imports' errors."""


class FileUnreadable(ImportProblem):
    code = "imports.FILE_UNREADABLE"


class FileEmpty(ImportProblem):
    code = "imports.FILE_EMPTY"


class FileMissingColumns(ImportProblem):
    code = "imports.FILE_MISSING_COLUMNS"


class FileDuplicateColumns(ImportProblem):
    code = "imports.FILE_DUPLICATE_COLUMNS"


_FILE_PROBLEMS: dict[str, type[ImportProblem]] = {
    files.UNREADABLE: FileUnreadable,
    files.EMPTY: FileEmpty,
    files.MISSING_COLUMNS: FileMissingColumns,
    files.DUPLICATE_COLUMNS: FileDuplicateColumns,
}


def file_failure(problem: files.FileProblem) -> ImportProblem:
    """The error a file that cannot be read as a whole makes of its job."""
    return _FILE_PROBLEMS[problem.reason](columns=", ".join(problem.columns))


class ImportNotFound(ImportProblem):
    code = "imports.IMPORT_NOT_FOUND"


class InvalidFileName(ImportProblem):
    code = "imports.INVALID_FILE_NAME"


class UnsupportedFileType(ImportProblem):
    """Neither a CSV nor an XLSX file, by its declared type or its name's extension."""

    code = "imports.UNSUPPORTED_FILE_TYPE"


class InvalidFileSize(ImportProblem):
    code = "imports.INVALID_FILE_SIZE"


class FileNotUploaded(ImportProblem):
    """Submitted before the file reached storage."""

    code = "imports.FILE_NOT_UPLOADED"


class FileSizeMismatch(ImportProblem):
    """The stored file is not the size declared when the import started."""

    code = "imports.FILE_SIZE_MISMATCH"


class MissingValue(ImportProblem):
    code = "imports.MISSING_VALUE"


class UnknownValue(ImportProblem):
    """A cell names none of its column's values."""

    code = "imports.UNKNOWN_VALUE"


class UnreadableDate(ImportProblem):
    code = "imports.UNREADABLE_DATE"


class InvalidAmount(ImportProblem):
    code = "imports.INVALID_AMOUNT"


class IncompleteDocument(ImportProblem):
    code = "imports.INCOMPLETE_DOCUMENT"


class UnknownEmployer(ImportProblem):
    code = "imports.UNKNOWN_EMPLOYER"


class NoMemberInHousehold(ImportProblem):
    code = "imports.NO_MEMBER_IN_HOUSEHOLD"


class SecondMemberInHousehold(ImportProblem):
    code = "imports.SECOND_MEMBER_IN_HOUSEHOLD"


class HouseholdNotImported(ImportProblem):
    code = "imports.HOUSEHOLD_NOT_IMPORTED"
