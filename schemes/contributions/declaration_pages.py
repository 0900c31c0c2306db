"""Employers' declarations at the manager's desk: an employer's account and
its declarations, and the form to declare a period's salaries (filled in
from the employees' recorded salaries) or to correct the one in force."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from schemes.contributions import payroll
from schemes.contributions.declarations import MAX_LINES
from schemes.contributions.pages import amount_of
from schemes.contributions.periods import period_of
from schemes.imports.errors import file_failure
from schemes.imports.files import FileProblem
from schemes.rules.model import Period
from tenants.permissions import Permission
from tenants.web import Page, PageSet, keyed, not_found

DECLARATIONS_SHOWN = 24
"""Declarations the account shows, the latest period first: two years of months."""
BATCH = 100
"""Employees or lines read per request to fill the form in."""

ACCOUNT = """
query EmployerDeclarations($employer: ID!, $first: Int!) {
  employer(id: $employer) { id name registrationNumber }
  employerStatement(employer: $employer) { due paid outstanding credit currency }
  employerDeclarations(first: $first, filter: {employer: $employer}) {
    edges { node {
      id period version employees salaries amount currency inForce createdAt filedByName note
      scheme { name } call { settled remaining }
    } }
  }
}
"""
EMPLOYER = "query DeclaringEmployer($employer: ID!) { employer(id: $employer) { id name } }"
SCHEMES = """
query SalarySchemes { schemes(first: 100) { edges { node { id name currentVersion { contribution { basis } } } } } }
"""
EMPLOYEES = """
query DeclarationEmployees($employer: ID!, $first: Int!, $after: String) {
  members(first: $first, after: $after, filter: {employer: $employer}) {
    edges { node {
      number firstNames lastName status scheme { id } employments { employer { id } staffNumber salary }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
REPLACED = """
query ReplacedDeclaration($id: ID!, $first: Int!, $after: String) {
  node(id: $id) {
    ... on EmployerDeclaration {
      id period inForce employer { id } scheme { id }
      lines(first: $first, after: $after) {
        edges { node { staffNumber salary member { number firstNames lastName } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
FILE = """
mutation EmployerDeclarationFile($input: EmployerDeclarationFileInput!) {
  employerDeclarationFile(input: $input) {
    ... on EmployerDeclarationFiling { declaration { id } }
    ... on EmployerDeclarationFileError { code path message others { path message } }
  }
}
"""
FIELDS = (
    "period",
    "scheme",
    "note",
    "replaces",
    "lines",
    "lines.*",
    "lines.*.salary",
    "lines.*.staffNumber",
    "lines.*.memberNumber",
)


@get("/employers/{employer_id:str}/declarations")
async def declarations(
    page: NamedDependency[Page], employer_id: FromPath[str], notice: FromQuery[str] = ""
) -> Response[str]:
    """An employer's account as payer and its declarations, the latest period first."""
    page.require(Permission.CONTRIBUTIONS_READ)
    outcome = await page.execute(ACCOUNT, {"employer": employer_id, "first": DECLARATIONS_SHOWN})
    employer = outcome.data["employer"]
    if employer is None:
        raise not_found()
    return page.render(
        "declarations/declarations.html",
        employer=employer,
        statement=outcome.data["employerStatement"],
        declarations=[edge["node"] for edge in outcome.data["employerDeclarations"]["edges"]],
        notice="page.NOTICE_DECLARATION_FILED" if notice == "filed" else None,
    )


async def _pages(page: Page, document: str, variables: dict[str, Any], *at: str) -> list[dict[str, Any]]:
    """Every node of the connection at ``at`` in the answers to ``document``,
    page after page, up to a declaration's most lines."""
    found: list[dict[str, Any]] = []
    after = None
    while len(found) < MAX_LINES:
        data: Any = (await page.execute(document, {**variables, "first": BATCH, "after": after})).data
        for key in at:
            data = data.get(key) if data else None
        if not data:
            break
        found += [edge["node"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    return found


def _line(member: dict[str, Any], staff_number: str | None, salary: int | None) -> dict[str, str]:
    return {
        "name": f"{member['lastName']} {member['firstNames']}",
        "staffNumber": staff_number or "",
        "memberNumber": "" if staff_number else member["number"],
        "salary": str(salary) if salary else "",
    }


async def _filled_in(
    page: Page, employer_id: str, replaces: str | None
) -> tuple[list[dict[str, str]], dict[str, str]] | None:
    """The form's lines and fields: the replaced declaration's, or the
    employees' recorded salaries; None for a declaration to correct that is
    not the employer's in force."""
    if replaces:
        head = (await page.execute(REPLACED, {"id": replaces, "first": 1, "after": None})).data["node"]
        if not head or "period" not in head or head["employer"]["id"] != employer_id or not head["inForce"]:
            return None
        lines = await _pages(page, REPLACED, {"id": replaces}, "node", "lines")
        rows = [_line(line["member"], line["staffNumber"], line["salary"]) for line in lines]
        return rows, {"period": head["period"], "scheme": head["scheme"]["id"], "replaces": replaces}
    rows = [_line(member, job["staffNumber"], job["salary"]) for member, job in await _employees(page, employer_id)]
    this_month = period_of(Period.MONTHLY, datetime.now(UTC).date())
    return rows, {"period": period_of(Period.MONTHLY, this_month.start - timedelta(days=1)).label}


async def _employees(page: Page, employer_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The employer's employees not terminated in a scheme on salaries, each with their employment there."""
    schemes = {scheme_id for scheme_id, _ in await _salary_schemes(page)}
    found = []
    for member in await _pages(page, EMPLOYEES, {"employer": employer_id}, "members"):
        job = next((job for job in member["employments"] if job["employer"]["id"] == employer_id), None)
        if member["status"] != "TERMINATED" and job is not None and (member["scheme"] or {}).get("id") in schemes:
            found.append((member, job))
    return found


async def _salary_schemes(page: Page) -> list[tuple[str, str]]:
    """The tenant's schemes whose contribution in force is a rate of salaries: those declared for."""
    outcome = await page.execute(SCHEMES)
    return [
        (edge["node"]["id"], edge["node"]["name"])
        for edge in outcome.data["schemes"]["edges"]
        if (edge["node"]["currentVersion"] or {}).get("contribution", {}).get("basis") == "SALARY_RATE"
    ]


async def _form(
    page: Page,
    employer_id: str,
    lines: list[dict[str, str]],
    form: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
    notice: str | None = None,
) -> Response[str]:
    employer = (await page.execute(EMPLOYER, {"employer": employer_id})).data["employer"]
    if employer is None:
        raise not_found()
    schemes = await _salary_schemes(page)
    return page.render(
        "declarations/new.html",
        status_code=status_code,
        employer=employer,
        schemes=schemes,
        lines=lines,
        form=keyed(form),
        errors=errors,
        notice=notice,
    )


@get("/employers/{employer_id:str}/declarations/new")
async def new_declaration(
    page: NamedDependency[Page], employer_id: FromPath[str], replaces: FromQuery[str] = ""
) -> Response[str]:
    """The form to declare a period's salaries, filled in with each employee's
    recorded salary; or, with ``replaces``, to correct the declaration in force."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    filled = await _filled_in(page, employer_id, replaces or None)
    if filled is None:
        raise not_found()
    rows, form = filled
    return await _form(page, employer_id, rows, form, {})


def _posted_lines(form: dict[str, str]) -> list[dict[str, str]]:
    """The form's employee rows, in their order."""
    indexes = sorted(
        {int(key.split(".")[1]) for key in form if key.startswith("lines.") and key.split(".")[1].isdigit()}
    )
    return [
        {name: form.get(f"lines.{index}.{name}", "") for name in ("name", "staffNumber", "memberNumber", "salary")}
        for index in indexes
    ]


def _moved(errors: dict[str, str], sent: list[int]) -> dict[str, str]:
    """Errors on the lines sent, keyed by the row of the form they came from."""
    moved = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(sent):
            parts[1] = str(sent[int(parts[1])])
        moved[".".join(parts)] = message
    return moved


@post("/employers/{employer_id:str}/declarations/new")
async def file_declaration(page: NamedDependency[Page], employer_id: FromPath[str]) -> Response[str] | Redirect:
    """File the declaration: rows whose salary is left blank are not declared
    (an employee not paid in the period). The form's key makes a second press file nothing twice."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    form = await page.form()
    rows = _posted_lines(form)
    sent = [index for index, row in enumerate(rows) if row["salary"].strip()]
    variables = {
        "employer": employer_id,
        "scheme": form.get("scheme", ""),
        "period": form.get("period", ""),
        "lines": [
            {
                "salary": amount_of(rows[index]["salary"]),
                "staffNumber": rows[index]["staffNumber"] or None,
                "memberNumber": rows[index]["memberNumber"] or None,
            }
            for index in sent
        ],
        "idempotencyKey": form.get("idempotencyKey", ""),
        "replaces": form.get("replaces") or None,
        "note": form.get("note", ""),
    }
    outcome = await page.execute(FILE, {"input": variables})
    if outcome.refusal is None:
        return page.redirect(f"/employers/{employer_id}/declarations?notice=filed")
    if outcome.refusal["code"] == "EMPLOYER_NOT_FOUND":
        raise not_found()
    errors = _moved(outcome.errors_within(FIELDS), sent)
    if outcome.refusal["code"] == "INVALID_VALUE" and any(key.endswith("salary") for key in errors):
        errors = {key: page.t("page.SALARY_DIGITS") if key.endswith("salary") else text for key, text in errors.items()}
    return await _form(page, employer_id, rows, form, errors, status_code=400)


PAYROLL_FIELD = "payroll"


async def _payroll_lines(page: Page, employer_id: str, file: object) -> list[dict[str, str]] | str:
    """The lines of the payroll file sent, named after the employees they
    match; or what is wrong with the file."""
    if not isinstance(file, UploadFile) or not file.filename:
        return page.t("page.FILE_REQUIRED")
    file_format = payroll.format_of(file.filename)
    if file_format is None:
        return page.t("imports.UNSUPPORTED_FILE_TYPE", allowed=".csv, .xlsx")
    data = await file.read()
    try:
        lines = await asyncio.to_thread(payroll.read_payroll, data, file_format, MAX_LINES)
    except FileProblem as problem:
        failure = file_failure(problem)
        return page.t(failure.code, **failure.params)
    if len(lines) > MAX_LINES:
        return page.t("contributions.TOO_MANY_LINES", maximum=MAX_LINES)
    names: dict[str, str] = {}
    for member, job in await _employees(page, employer_id):
        name = f"{member['lastName']} {member['firstNames']}"
        names[member["number"].upper()] = name
        if job["staffNumber"]:
            names[job["staffNumber"].upper()] = name
    return [
        {
            "name": names.get((line.staff_number or line.member_number).upper(), ""),
            "staffNumber": line.staff_number,
            "memberNumber": "" if line.staff_number else line.member_number,
            "salary": line.salary,
        }
        for line in lines
    ]


@post("/employers/{employer_id:str}/declarations/payroll")
async def fill_from_payroll(page: NamedDependency[Page], employer_id: FromPath[str]) -> Response[str]:
    """The declaration's form filled in from a payroll file (CSV or Excel:
    a staff number or member number, and the gross salary, per row), for the
    manager to check before filing; nothing is filed yet."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    posted = await page.request.form()
    texts = {key: value for key, value in posted.items() if isinstance(value, str)}
    form = {key: value for key, value in texts.items() if not key.startswith("lines.")}
    found = await _payroll_lines(page, employer_id, posted.get(PAYROLL_FIELD))
    if isinstance(found, str):
        errors = {PAYROLL_FIELD: found}
        return await _form(page, employer_id, _posted_lines(texts), form, errors, status_code=400)
    notice = page.t("page.PAYROLL_READ", n=len(found))
    return await _form(page, employer_id, found, form, {}, notice=notice)


PAGES = PageSet(
    name="declarations",
    templates=Path(__file__).with_name("declaration_templates"),
    handlers=[declarations, new_declaration],
    uploads=[file_declaration, fill_from_payroll],
)
