"""Imports: a file uploaded to storage, then worked through by a job in
batches, each batch's rows and the job's progress committed together."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Protocol
from uuid import UUID

from schemes.documents.storage import StoredObject, UploadForm
from schemes.imports import errors
from schemes.imports.files import (
    CONTENT_TYPES,
    Column,
    FileFormat,
    FileProblem,
    Row,
    content_type_of,
    looks_like,
    read_rows,
)
from schemes.imports.tables import ImportJob, ImportKind, ImportRowProblem, ImportStatus
from tenants.audit import service as audit
from tenants.context import PrincipalKind, TenantContext
from tenants.errors import DomainError
from tenants.ids import new_id
from tenants.scoping import within
from tenants.services import ServiceKey
from tenants.tx import Transaction, tenant_tx

RUN_ACTOR = "imports.run"

BATCH_ROWS = 500
"""Rows written per transaction: large enough for multi-row statements to pay,
small enough that progress moves every second or so."""


class ImportFiles(Protocol):
    """What imports need of object storage."""

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        """A form that lets a client store exactly ``size`` bytes of ``content_type`` under ``key``."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` of ``content_type`` under ``key``, replacing what was there."""

    async def stat(self, key: str) -> StoredObject | None:
        """The object under ``key``, None if there is none."""

    async def download(self, key: str, path: Path) -> None:
        """Copy the object under ``key`` to the file ``path``, streaming."""


@dataclass(frozen=True)
class ImportSettings:
    """The operator's limits on imports."""

    max_bytes: int
    """Largest file accepted."""


IMPORT_SETTINGS: ServiceKey[ImportSettings] = ServiceKey("imports.settings")
IMPORT_FILES: ServiceKey[ImportFiles] = ServiceKey("imports.files")

UPLOAD_SECONDS = 3600
"""How long an upload form stays valid: a large file on a slow link takes a while."""


@dataclass(frozen=True)
class Problem:
    """Why a row was not imported: the column at fault (its header, or None
    for the whole row) and a domain error's code and parameters."""

    line: int
    header: str | None
    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class BatchOutcome:
    """What a batch of rows became."""

    imported: int = 0
    existing: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed_lines(self) -> int:
        """Rows with at least one problem."""
        return len({problem.line for problem in self.problems})


@dataclass(frozen=True)
class Importer:
    """How one kind of file is imported: its columns, the column that groups
    rows (a household's rows stay in one batch), and the writing of a batch
    of rows in the caller's transaction."""

    columns: Sequence[Column]
    group: str | None
    write: Callable[[Transaction, TenantContext, list[Row]], Awaitable[BatchOutcome]]


@dataclass(frozen=True)
class NewImport:
    """What starting an import needs: the file the client is about to upload."""

    kind: ImportKind
    file_name: str
    content_type: str
    size: int


def _format_of(data: NewImport) -> FileFormat:
    file_format = CONTENT_TYPES.get(data.content_type)
    if file_format is None:
        raise errors.UnsupportedFileType(path=("input", "contentType"), allowed=", ".join(sorted(CONTENT_TYPES)))
    if PurePosixPath(data.file_name.lower()).suffix != f".{file_format.value}":
        raise errors.UnsupportedFileType(path=("input", "fileName"), allowed=", ".join(sorted(CONTENT_TYPES)))
    return file_format


async def start_import(tx: Transaction, ctx: TenantContext, data: NewImport, max_size: int) -> ImportJob:
    """Record an import awaiting its file; the client uploads it to
    ``file_key`` and then submits the job."""
    name = data.file_name.strip()
    if not 1 <= len(name) <= 255 or "/" in name or "\\" in name:
        raise errors.InvalidFileName(path=("input", "fileName"))
    file_format = _format_of(data)
    if not 0 < data.size <= max_size:
        raise errors.InvalidFileSize(path=("input", "size"), limit=max_size)
    job_id = new_id()
    jobs = within(ctx, ImportJob)
    job = jobs.new(
        id=job_id,
        kind=data.kind,
        file_name=name,
        file_format=file_format,
        file_size=data.size,
        file_key=f"{ctx.tenant_id}/imports/{job_id}.{file_format.value}",
        created_by=ctx.principal.id if ctx.principal.kind is PrincipalKind.USER else None,
        created_at=datetime.now(UTC),
    )
    await jobs.insert(job)
    await audit.record_change(tx, ctx, "import.start", "import", job.id, kind=data.kind.value, file=name)
    return job


async def jobs_by_id(tx: Transaction, ctx: TenantContext, job_ids: Sequence[UUID]) -> list[ImportJob]:
    """The context's imports among ``job_ids``."""
    if not job_ids:
        return []
    return await within(ctx, ImportJob).objects().where(ImportJob.id.is_in(list(job_ids)))


async def list_jobs(
    tx: Transaction, ctx: TenantContext, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[ImportJob]:
    """The context's imports, newest first, after the keyset ``(created_at, id)``."""
    query = within(ctx, ImportJob).objects()
    if after is not None:
        created_at, job_id = after
        query = query.where(
            (ImportJob.created_at < created_at) | ((ImportJob.created_at == created_at) & (ImportJob.id < job_id))
        )
    return await query.order_by(ImportJob.created_at, ImportJob.id, ascending=False).limit(limit)


async def count_jobs(tx: Transaction, ctx: TenantContext) -> int:
    """How many imports the context's tenant has."""
    count: int = await within(ctx, ImportJob).count()
    return count


async def receive(tx: Transaction, ctx: TenantContext, job_id: UUID, data: bytes, files: ImportFiles) -> None:
    """Store the file of an import awaiting it, sent to Socle itself rather
    than to the upload form (the pages do so: a browser's form cannot ask for
    the upload form first). :func:`submit` checks it as it checks an upload."""
    job = await within(ctx, ImportJob).objects().where(ImportJob.id == job_id).first()
    if job is None or job.status != ImportStatus.AWAITING_FILE:
        raise errors.ImportNotFound(path=("input", "id"))
    await files.put(job.file_key, data, content_type_of(FileFormat(job.file_format)))


async def submit(tx: Transaction, ctx: TenantContext, job_id: UUID, files: ImportFiles) -> ImportJob:
    """Queue an import whose file is uploaded. Submitting a queued or running
    job again changes nothing."""
    job = await within(ctx, ImportJob).objects().where(ImportJob.id == job_id).lock_rows("NO KEY UPDATE").first()
    if job is None:
        raise errors.ImportNotFound(path=("input", "id"))
    if job.status != ImportStatus.AWAITING_FILE:
        return job
    stored = await files.stat(job.file_key)
    if stored is None:
        raise errors.FileNotUploaded(path=("input", "id"))
    if stored.size != job.file_size:
        raise errors.FileSizeMismatch(path=("input", "id"), declared=job.file_size, received=stored.size)
    if not looks_like(FileFormat(job.file_format), stored.head):
        raise errors.UnsupportedFileType(path=("input", "id"), allowed=", ".join(sorted(CONTENT_TYPES)))
    job.status = ImportStatus.QUEUED
    await within(ctx, ImportJob).update({ImportJob.status: ImportStatus.QUEUED}).where(ImportJob.id == job.id)
    await tx.enqueue(RUN_ACTOR, tenant_id=str(ctx.tenant_id), job_id=str(job.id))
    await audit.record_change(tx, ctx, "import.submit", "import", job.id)
    return job


class _Lookahead:
    """An iterator of rows that can look at its next row."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows
        self._next: Row | None = None

    def peek(self) -> Row | None:
        if self._next is None:
            self._next = next(self._rows, None)
        return self._next

    def take(self) -> Row | None:
        row = self.peek()
        self._next = None
        return row


def _batch(rows: _Lookahead, group: str | None, size: int, from_line: int) -> list[Row]:
    """The next ``size`` rows from line ``from_line`` on, or a few more, so
    that rows of one group (consecutive rows with the same ``group`` value)
    are never split; empty at the end of the file."""
    batch: list[Row] = []
    while (row := rows.peek()) is not None:
        if row.line < from_line:
            rows.take()
            continue
        if len(batch) >= size and (group is None or row.values.get(group) != batch[-1].values.get(group)):
            break
        batch.append(row)
        rows.take()
    return batch


class _Overtaken(Exception):
    """Another run of the same job committed first."""


async def run(
    ctx: TenantContext,
    job_id: UUID,
    files: ImportFiles,
    importers: Mapping[ImportKind, Importer],
    batch_rows: int = BATCH_ROWS,
) -> None:
    """Work an import through with the importer of its kind, from where it
    stands. Running it again when it is done, or while another run is under
    way, changes nothing."""
    async with tenant_tx(ctx) as tx:
        job = await within(ctx, ImportJob).objects().where(ImportJob.id == job_id).first()
        if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return
        if job.status == ImportStatus.QUEUED:
            await (
                within(ctx, ImportJob)
                .update({ImportJob.status: ImportStatus.RUNNING, ImportJob.started_at: datetime.now(UTC)})
                .where(ImportJob.id == job_id)
            )
            await audit.record_change(tx, ctx, "import.run", "import", job_id)
    importer = importers[ImportKind(job.kind)]
    with tempfile.TemporaryDirectory(prefix="socle-import-") as folder:
        path = Path(folder) / f"file.{job.file_format}"
        await files.download(job.file_key, path)
        rows = _Lookahead(read_rows(path, FileFormat(job.file_format), importer.columns))
        try:
            await _work_through(ctx, job, importer, rows, batch_rows)
        except FileProblem as problem:
            failure = errors.file_failure(problem)
            async with tenant_tx(ctx) as tx:
                await _finish(tx, ctx, job, ImportStatus.FAILED, failure)
            return
        except DomainError as failure:
            async with tenant_tx(ctx) as tx:
                await _finish(tx, ctx, job, ImportStatus.FAILED, failure)
            return
        except _Overtaken:
            return
    async with tenant_tx(ctx) as tx:
        await _finish(tx, ctx, job, ImportStatus.DONE, None)


async def _work_through(
    ctx: TenantContext, job: ImportJob, importer: Importer, rows: _Lookahead, batch_rows: int
) -> None:
    next_line = job.next_line
    while True:
        # Parsing is slow work: it runs on a thread, never on the event loop.
        batch = await asyncio.to_thread(_batch, rows, importer.group, batch_rows, next_line)
        if not batch:
            return
        async with tenant_tx(ctx) as tx:
            outcome = await importer.write(tx, ctx, batch)
            await _record_problems(tx, ctx, job.id, outcome.problems)
            failed = outcome.failed_lines
            moved = await tx.fetchval(
                "UPDATE import_jobs SET next_line = $3, rows_read = rows_read + $4,"
                " rows_imported = rows_imported + $5, rows_existing = rows_existing + $6,"
                " rows_failed = rows_failed + $7"
                " WHERE tenant_id = $1 AND id = $2 AND next_line = $8 AND status = 'running' RETURNING id",
                ctx.tenant_id,
                job.id,
                batch[-1].line + 1,
                len(batch),
                outcome.imported,
                outcome.existing,
                failed,
                next_line,
            )
            if moved is None:
                raise _Overtaken
            await audit.record_change(
                tx,
                ctx,
                "import.batch",
                "import",
                job.id,
                lines=f"{batch[0].line}-{batch[-1].line}",
                imported=str(outcome.imported),
                existing=str(outcome.existing),
                failed=str(failed),
            )
        next_line = batch[-1].line + 1


async def _record_problems(tx: Transaction, ctx: TenantContext, job_id: UUID, problems: list[Problem]) -> None:
    if not problems:
        return
    await tx.execute(
        "INSERT INTO import_row_problems (id, tenant_id, job_id, line, header, code, params)"
        " SELECT unnest($1::uuid[]), $2, $3, unnest($4::int[]), unnest($5::text[]), unnest($6::text[]),"
        " unnest($7::text[])::jsonb",
        [new_id() for _ in problems],
        ctx.tenant_id,
        job_id,
        [p.line for p in problems],
        [p.header for p in problems],
        [p.code for p in problems],
        [json.dumps(p.params, default=str) for p in problems],
    )


async def _finish(
    tx: Transaction, ctx: TenantContext, job: ImportJob, status: ImportStatus, failure: DomainError | None
) -> None:
    values: dict[object, object] = {ImportJob.status: status, ImportJob.finished_at: datetime.now(UTC)}
    if failure is not None:
        values[ImportJob.failure] = failure.code
        values[ImportJob.failure_params] = json.dumps(failure.params, default=str)
    await within(ctx, ImportJob).update(values).where(ImportJob.id == job.id)  # type: ignore[arg-type]
    done = await within(ctx, ImportJob).objects().where(ImportJob.id == job.id).first()
    assert done is not None
    await audit.record_change(
        tx,
        ctx,
        f"import.{status.value}",
        "import",
        job.id,
        read=str(done.rows_read),
        imported=str(done.rows_imported),
        existing=str(done.rows_existing),
        failed=str(done.rows_failed),
        **({"failure": failure.code} if failure else {}),
    )


async def problems_of(
    tx: Transaction, ctx: TenantContext, *, job_id: UUID, after: tuple[int, UUID] | None, limit: int
) -> list[ImportRowProblem]:
    """A job's row problems in file order, after the keyset ``(line, id)``."""
    query = within(ctx, ImportRowProblem).objects().where(ImportRowProblem.job_id == job_id)
    if after is not None:
        line, problem_id = after
        query = query.where(
            (ImportRowProblem.line > line) | ((ImportRowProblem.line == line) & (ImportRowProblem.id > problem_id))
        )
    return await query.order_by(ImportRowProblem.line, ImportRowProblem.id).limit(limit)


async def count_problems(tx: Transaction, ctx: TenantContext, *, job_id: UUID) -> int:
    """How many problems a job recorded."""
    count: int = await within(ctx, ImportRowProblem).count().where(ImportRowProblem.job_id == job_id)
    return count


def problem_of(error: DomainError, line: int, header: str | None) -> Problem:
    """The problem a domain error makes of a row."""
    return Problem(line=line, header=header, code=error.code, params=dict(error.params))
