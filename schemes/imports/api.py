"""GraphQL of imports: a job's progress while it runs, and the problems of
the rows it could not import."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.documents.api import UploadFormField
from schemes.imports import errors
from schemes.imports import service as import_service
from schemes.imports.tables import ImportJob, ImportKind, ImportRowProblem, ImportStatus
from schemes.members import enrolment
from schemes.members import errors as member_errors
from tenants.graphql import Info, decode_id, field, nodes_by_id, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tx import tenant_tx

strawberry.enum(ImportKind, description="What an import's file holds.")
strawberry.enum(ImportStatus, description="Where an import stands.")

REPORT_PATH = "/imports/{id}/problems.csv"


@strawberry.type(description="Why a row of an import's file was not imported.")
class ImportProblem:
    line: int = strawberry.field(description="The line in the file; the header is line 1.")
    column: str | None = strawberry.field(description="The column's header; null for the row as a whole.")
    code: str = strawberry.field(description="The error's stable code.")
    message: str = strawberry.field(description="The error in the caller's language.")


@strawberry.type(description="Why an import stopped short: its file could not be read, or enrolling was refused.")
class ImportFailure:
    code: str = strawberry.field(description="The error's stable code.")
    message: str = strawberry.field(description="The error in the caller's language, naming the columns at fault.")


@strawberry.type(description="An import of a file, worked through by a job: poll it for its progress.")
class Job(relay.Node):
    id: relay.NodeID[UUID]
    kind: ImportKind
    status: ImportStatus
    file_name: str
    rows_read: int = strawberry.field(description="Rows worked through so far.")
    rows_imported: int
    rows_existing: int = strawberry.field(
        description="Rows whose person was already enrolled (this file or an overlapping one imported before)."
    )
    rows_failed: int = strawberry.field(description="Rows not imported; `problems` says why.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    failure_code: strawberry.Private[str | None]
    failure_params: strawberry.Private[dict[str, str]]

    @classmethod
    def from_row(cls, row: ImportJob) -> Job:
        """The GraphQL view of an import job."""
        params = row.failure_params if isinstance(row.failure_params, dict) else json.loads(row.failure_params)
        return cls(
            id=row.id,
            kind=ImportKind(row.kind),
            status=ImportStatus(row.status),
            file_name=row.file_name,
            rows_read=row.rows_read,
            rows_imported=row.rows_imported,
            rows_existing=row.rows_existing,
            rows_failed=row.rows_failed,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            failure_code=row.failure,
            failure_params=params,
        )

    @field("Why the file could not be read further; null unless `status` is FAILED.")
    def failure(self, info: Info) -> ImportFailure | None:
        if self.failure_code is None:
            return None
        message = info.context.translate(self.failure_code, self.failure_params)
        return ImportFailure(code=self.failure_code, message=message)

    @field("The rows not imported and why, in file order; `first` is at most 100.")
    async def problems(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ImportProblem]:
        context = tenant_of(info)
        job_id = self.id
        translate = info.context.translate

        def node(row: ImportRowProblem) -> ImportProblem:
            params = row.params if isinstance(row.params, dict) else json.loads(row.params)
            return ImportProblem(line=row.line, column=row.header, code=row.code, message=translate(row.code, params))

        return await tenant_page(
            context,
            first,
            after,
            (int, UUID),
            rows=partial(import_service.problems_of, job_id=job_id),
            count=partial(import_service.count_problems, job_id=job_id),
            node=node,
            key=lambda row: (row.line, row.id),
        )

    @field(
        "Where to download the problems as a CSV file (line, column, message) in the caller's "
        "language, with the same credentials as this request."
    )
    def problems_report_path(self) -> str:
        return REPORT_PATH.format(id=relay.to_base64("Job", str(self.id)))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Job | None]:
        return await nodes_by_id(info, node_ids, Permission.MEMBERS_WRITE, import_service.jobs_by_id, cls.from_row)


@strawberry.type
class Query:
    @field("An import job by its id; null when there is none in the tenant.", permission=Permission.MEMBERS_WRITE)
    async def job(self, info: Info, id: relay.GlobalID) -> Job | None:  # noqa: A002
        job_id = decode_id(id, "Job")
        if job_id is None:
            return None
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            rows = await import_service.jobs_by_id(tx, context, [job_id])
        return Job.from_row(rows[0]) if rows else None

    @field(
        "The tenant's imports, newest first. Requires `members:write`; `first` is at most 100.",
        permission=Permission.MEMBERS_WRITE,
    )
    async def imports(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Job]:
        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (datetime, UUID),
            rows=import_service.list_jobs,
            count=import_service.count_jobs,
            node=Job.from_row,
            key=lambda row: (row.created_at, row.id),
        )


@strawberry.input(description="Start an import of members: the file the client is about to send.")
class MemberImportStartInput:
    file_name: str = strawberry.field(description="The file's name, ending in .csv or .xlsx.")
    content_type: str = strawberry.field(
        description="text/csv, or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet for .xlsx."
    )
    size: int = strawberry.field(description="The file's exact size in bytes.")


@strawberry.type(
    description="An import waiting for its file, and where to send it: a multipart/form-data request to `url` "
    "with `method`, the `fields` in order, then the file as the last field, named `file`; "
    "then `memberImportSubmit`."
)
class MemberImportUpload:
    job: Job
    url: str
    method: str
    fields: list[UploadFormField]
    expires_at: datetime


@strawberry.input(description="Work an import through once its file is sent.")
class MemberImportSubmitInput:
    id: relay.GlobalID = strawberry.field(description="The import's id (type `Job`).")


@strawberry.type
class Mutation:
    @mutation(
        "Start an import of members and beneficiaries from a CSV or XLSX file (see the template at "
        "`/imports/members/template.csv`): the answer says where to send the file, for an hour. "
        "Requires `members:write`.",
        errors=[
            errors.InvalidFileName,
            errors.UnsupportedFileType,
            errors.InvalidFileSize,
            member_errors.TenantNotApproved,
        ],
        permission=Permission.MEMBERS_WRITE,
    )
    async def member_import_start(self, info: Info, input: MemberImportStartInput) -> MemberImportUpload:  # noqa: A002
        context = tenant_of(info)
        files = info.context.services.get(import_service.IMPORT_FILES)
        limits = info.context.services.get(import_service.IMPORT_SETTINGS)
        data = import_service.NewImport(
            kind=ImportKind.MEMBERS, file_name=input.file_name, content_type=input.content_type, size=input.size
        )
        async with tenant_tx(context) as tx:
            await enrolment.require_approved(tx, context)
            job = await import_service.start_import(tx, context, data, limits.max_bytes)
        form = files.upload_form(job.file_key, input.content_type, input.size, import_service.UPLOAD_SECONDS)
        return MemberImportUpload(
            job=Job.from_row(job),
            url=form.url,
            method=form.method,
            fields=[UploadFormField(name=name, value=value) for name, value in form.fields],
            expires_at=form.expires_at,
        )

    @mutation(
        "Work an import through once its file is sent: a job reads it and enrols its households; poll "
        "`job(id)` for its progress. Submitting it again changes nothing. Requires `members:write`.",
        errors=[errors.ImportNotFound, errors.FileNotUploaded, errors.FileSizeMismatch, errors.UnsupportedFileType],
        permission=Permission.MEMBERS_WRITE,
    )
    async def member_import_submit(self, info: Info, input: MemberImportSubmitInput) -> Job:  # noqa: A002
        context = tenant_of(info)
        job_id = decode_id(input.id, "Job")
        if job_id is None:
            raise errors.ImportNotFound(path=("input", "id"))
        files = info.context.services.get(import_service.IMPORT_FILES)
        async with tenant_tx(context) as tx:
            job = await import_service.submit(tx, context, job_id, files)
        return Job.from_row(job)
