"""Tables of imports: a file of rows worked through by a job, with its
progress and the problems of its rows."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import JSONB, UUID, BigInt, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from schemes.imports.files import FileFormat
from tenants.tables import TenantTable


class ImportKind(StrEnum):
    """What a file imports."""

    MEMBERS = "members"
    """Members and their beneficiaries, one row per person."""


class ImportStatus(StrEnum):
    """Where an import stands."""

    AWAITING_FILE = "awaiting_file"
    """Started; the file is being uploaded to storage."""
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    """Every row was read: imported, already there or reported."""
    FAILED = "failed"
    """The job stopped short (see ``failure``); the rows before stay imported."""


class ImportJob(TenantTable, tablename="import_jobs"):
    """An import of one file. Its counters move forward with each batch of
    rows, in the batch's own transaction, so they are exact at any moment and
    a job resumed after a crash continues at ``next_line``."""

    kind = Varchar(length=16, choices=ImportKind)
    status = Varchar(length=16, choices=ImportStatus, default=ImportStatus.AWAITING_FILE)
    file_name = Varchar(length=255)
    file_format = Varchar(length=8, choices=FileFormat)
    file_size = BigInt()
    """The size the client declared; the stored object must match it."""
    file_key = Varchar(length=200)
    """Where the file is in object storage."""
    next_line = Integer(default=2)
    """The first line of the file not yet worked through (line 1 is the header)."""
    rows_read = Integer(default=0)
    rows_imported = Integer(default=0)
    rows_existing = Integer(default=0)
    """Rows whose person was already enrolled (the same file or an overlapping one imported before)."""
    rows_failed = Integer(default=0)
    failure = Varchar(length=64, null=True, default=None)
    """Why the job stopped short: the code of a domain error (an unreadable
    file, a tenant no longer licensed to enrol)."""
    failure_params = JSONB(default="{}")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class ImportRowProblem(TenantTable, tablename="import_row_problems"):
    """Why one row of an import was not imported: a column and an error code
    with its parameters, translated when the report is read."""

    job_id = ForeignKey(ImportJob, on_delete=OnDelete.cascade, null=False, index=False)
    line = Integer()
    header = Varchar(length=64, null=True, default=None)
    """The column's French header; null for a problem of the whole row."""
    code = Varchar(length=64)
    params = JSONB(default="{}")
