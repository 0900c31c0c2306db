"""Imports at the manager's desk: send a file of members, watch its rows
being worked through, read and download the rows refused, get the template."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from schemes.imports import service as import_service
from schemes.imports.files import FileFormat, content_type_of
from tenants.graphql import decode_text_id
from tenants.permissions import Permission
from tenants.tx import tenant_tx
from tenants.web import MenuItem, Page, PageSet, not_found

PAGE_SIZE = 20
PROBLEMS_SHOWN = 50
"""Problems listed on an import's page; the report has them all."""
REFRESH_SECONDS = 2

JOB = """id kind status fileName rowsRead rowsImported rowsExisting rowsFailed createdAt startedAt finishedAt"""
IMPORTS = f"""
query Imports($first: Int!, $after: String) {{
  imports(first: $first, after: $after) {{
    edges {{ node {{ {JOB} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
PROGRESS = f"""
query ImportProgress($id: ID!, $problems: Int!) {{
  job(id: $id) {{
    {JOB}
    failure {{ message }}
    problemsReportPath
    problems(first: $problems) {{ edges {{ node {{ line column message }} }} pageInfo {{ hasNextPage }} }}
  }}
}}
"""
START = """
mutation MemberImportStart($input: MemberImportStartInput!) {
  memberImportStart(input: $input) {
    ... on MemberImportUpload { job { id } }
    ... on MemberImportStartError { code path message }
  }
}
"""
SUBMIT = """
mutation MemberImportSubmit($input: MemberImportSubmitInput!) {
  memberImportSubmit(input: $input) { ... on MemberImportSubmitError { code path message } }
}
"""
WORKING = frozenset({"AWAITING_FILE", "QUEUED", "RUNNING"})
"""Statuses of an import not finished yet: its page keeps refreshing."""
FILE_FIELD = "file"


def _content_type(file_name: str, declared: str) -> str:
    """The content type of a file by its extension (browsers declare a CSV
    file as text/csv, application/vnd.ms-excel or nothing, by system)."""
    try:
        return content_type_of(FileFormat(PurePosixPath(file_name.lower()).suffix.lstrip(".")))
    except ValueError:
        return declared


async def _imports(page: Page, after: str | None = None, *, errors: dict[str, str] | None = None) -> Response[str]:
    outcome = await page.execute(IMPORTS, {"first": PAGE_SIZE, "after": after})
    return page.render(
        "imports/imports.html",
        status_code=400 if errors else 200,
        jobs=[edge["node"] for edge in outcome.data["imports"]["edges"]],
        page_info=outcome.data["imports"]["pageInfo"],
        after=after,
        errors=errors or {},
        max_megabytes=round(page.services.get(import_service.IMPORT_SETTINGS).max_bytes / 1_048_576),
    )


@get("/imports")
async def imports(page: NamedDependency[Page], after: FromQuery[str | None] = None) -> Response[str]:
    """The form to send a file, the template, and the tenant's imports, newest first."""
    page.require(Permission.MEMBERS_WRITE)
    return await _imports(page, after)


@post("/imports")
async def send(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Start an import with the file sent, store it, and submit it: the same
    three steps as a partner app's, the page standing in for its upload."""
    page.require(Permission.MEMBERS_WRITE)
    posted = await page.request.form()
    file = posted.get(FILE_FIELD)
    if not isinstance(file, UploadFile) or not file.filename:
        return await _imports(page, errors={FILE_FIELD: page.t("page.FILE_REQUIRED")})
    data = await file.read()
    started = await page.execute(
        START,
        {
            "input": {
                "fileName": file.filename,
                "contentType": _content_type(file.filename, file.content_type),
                "size": len(data),
            }
        },
    )
    if started.refusal is not None:
        return await _imports(page, errors=_file_errors(started.errors))
    job_id = started.data["memberImportStart"]["job"]["id"]
    context = page.viewer.tenant
    uuid = decode_text_id(job_id, "Job")
    if context is None or uuid is None:
        raise not_found()
    async with tenant_tx(context) as tx:
        await import_service.receive(tx, context, uuid, data, page.services.get(import_service.IMPORT_FILES))
    submitted = await page.execute(SUBMIT, {"input": {"id": job_id}})
    if submitted.refusal is not None:
        return await _imports(page, errors=_file_errors(submitted.errors))
    return page.redirect(f"/imports/{job_id}")


def _file_errors(errors: dict[str, str]) -> dict[str, str]:
    """The refusals of the file's name, type or size, shown at the file's field."""
    return {
        FILE_FIELD if key in ("fileName", "contentType", "size", "id") else key: text for key, text in errors.items()
    }


async def _progress(page: Page, job_id: str) -> dict[str, Any]:
    outcome = await page.execute(PROGRESS, {"id": job_id, "problems": PROBLEMS_SHOWN})
    job = outcome.data["job"]
    if job is None:
        raise not_found()
    return {
        "job": job,
        "working": job["status"] in WORKING,
        "problems": [edge["node"] for edge in job["problems"]["edges"]],
        "more_problems": job["problems"]["pageInfo"]["hasNextPage"],
        "every": REFRESH_SECONDS,
    }


@get("/imports/{job_id:str}")
async def progress(page: NamedDependency[Page], job_id: FromPath[str]) -> Response[str]:
    """An import's page: its rows done and failed as they move, then the rows refused."""
    page.require(Permission.MEMBERS_WRITE)
    return page.render("imports/job.html", **await _progress(page, job_id))


@get("/imports/{job_id:str}/progress")
async def progress_part(page: NamedDependency[Page], job_id: FromPath[str]) -> Response[str]:
    """The part of an import's page that moves, which the page's script fetches again while the import works."""
    page.require(Permission.MEMBERS_WRITE)
    return page.render("imports/progress.html", **await _progress(page, job_id))


PAGES = PageSet(
    name="imports",
    templates=Path(__file__).with_name("templates"),
    handlers=[imports, progress, progress_part],
    uploads=[send],
    menu=[MenuItem("page.MENU_IMPORTS", "/imports", Permission.MEMBERS_WRITE)],
)
