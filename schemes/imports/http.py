"""Imports over plain HTTP: ``GET /imports/{id}/problems.csv``, an import's
problems as a CSV file in the caller's language, and the members' template
(``/imports/members/template.csv`` or ``.xlsx``)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from uuid import UUID

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Stream

from schemes.imports import service as import_service
from schemes.imports.files import FileFormat, content_type_of
from schemes.imports.tables import ImportJob, ImportRowProblem
from schemes.imports.template import template
from tenants.context import TenantContext
from tenants.graphql import RequestContext, decode_text_id
from tenants.permissions import Permission
from tenants.tx import tenant_tx

_PAGE = 1000
_HEADERS = {"fr": ("Ligne", "Colonne", "Erreur"), "en": ("Line", "Column", "Error")}


async def _problems(context: TenantContext, job_id: UUID) -> AsyncIterator[ImportRowProblem]:
    """Every problem of the job, a page per short transaction, so that a long
    download holds no transaction open."""
    after: tuple[int, UUID] | None = None
    while True:
        async with tenant_tx(context) as tx:
            rows = await import_service.problems_of(tx, context, job_id=job_id, after=after, limit=_PAGE)
        for row in rows:
            yield row
        if len(rows) < _PAGE:
            return
        after = (rows[-1].line, rows[-1].id)


@get("/imports/{job:str}/problems.csv")
async def problems_report(job: FromPath[str], request_context: NamedDependency[RequestContext]) -> Stream:
    """The problems of an import, one row per problem: line, column header,
    message. Answers 404 for an id that is not an import of the caller's tenant."""
    viewer = request_context.viewer
    context = viewer.tenant
    translate = request_context.translate
    if context is None:
        raise NotAuthorizedException(translate("api.UNAUTHENTICATED", {}))
    if not context.allows(Permission.MEMBERS_WRITE):
        raise PermissionDeniedException(translate("api.FORBIDDEN", {"permission": Permission.MEMBERS_WRITE.value}))
    job_id = decode_text_id(job, "Job")
    found: list[ImportJob] = []
    if job_id is not None:
        async with tenant_tx(context) as tx:
            found = await import_service.jobs_by_id(tx, context, [job_id])
    if not found or found[0].tenant_id != context.tenant_id:
        raise NotFoundException()

    async def lines() -> AsyncIterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(_HEADERS.get(viewer.locale, _HEADERS["fr"]))
        # The byte-order mark makes spreadsheets read the file as UTF-8.
        yield "\ufeff".encode() + buffer.getvalue().encode()
        async for problem in _problems(context, found[0].id):
            buffer.seek(0)
            buffer.truncate()
            params = problem.params if isinstance(problem.params, dict) else json.loads(problem.params)
            writer.writerow((problem.line, problem.header or "", translate(problem.code, params)))
            yield buffer.getvalue().encode()

    stem = found[0].file_name.rsplit(".", 1)[0]
    return Stream(
        lines(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="problems-{_ascii(stem)}.csv"'},
    )


def _ascii(name: str) -> str:
    """A file name safe in a header: ASCII letters, digits, dashes."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in name)[:80] or "import"


@get(["/imports/members/template.csv", "/imports/members/template.xlsx"], cache=3600)
async def members_template(request: Request) -> Response[bytes]:  # type: ignore[type-arg]
    """The members' import template, with its columns in French and two example households."""
    file_format = FileFormat(request.url.path.rsplit(".", 1)[-1])
    body = await asyncio.to_thread(template, file_format)
    return Response(
        body,
        media_type=content_type_of(file_format),
        headers={"Content-Disposition": f'attachment; filename="modele-adherents.{file_format.value}"'},
    )
