"""Employers at the manager's desk: find one by name or NINEA, register a
new one, and see an employer's employees (the members working for it today)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from tenants.permissions import Permission
from tenants.web import MenuItem, Page, PageSet, nested, not_found

PAGE_SIZE = 20
EMPLOYER = "id name registrationNumber tradeRegister sector region address contactName contactPhone contactEmail status"
EMPLOYERS = f"""
query Employers($first: Int!, $after: String, $search: String) {{
  employers(first: $first, after: $after, search: $search) {{
    edges {{ node {{ {EMPLOYER} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
EMPLOYEES = f"""
query EmployerFile($id: ID!, $first: Int!, $after: String, $country: String!) {{
  administrativeDivisions(country: $country) {{ code name }}
  employer(id: $id) {{ {EMPLOYER} }}
  members(first: $first, after: $after, filter: {{employer: $id}}) {{
    totalCount
    edges {{ node {{
      id number status firstNames lastName
      employments {{ employer {{ id }} staffNumber contractKind startedOn }}
    }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
REGIONS = "query Regions($country: String!) { administrativeDivisions(country: $country) { code name } }"
CREATE = """
mutation EmployerCreate($input: EmployerCreateInput!) {
  employerCreate(input: $input) {
    ... on Employer { id }
    ... on EmployerCreateError { code path message }
  }
}
"""
FIELDS = (
    "name",
    "registrationNumber",
    "tradeRegister",
    "sector",
    "region",
    "address",
    "contactName",
    "contactPhone",
    "contactEmail",
)


@get("/employers")
async def employers(
    page: NamedDependency[Page], q: FromQuery[str] = "", after: FromQuery[str | None] = None
) -> Response[str]:
    """The tenant's employers by name, or those a name fragment or NINEA finds."""
    page.require(Permission.MEMBERS_READ)
    query = q.strip()
    outcome = await page.execute(EMPLOYERS, {"first": PAGE_SIZE, "after": after, "search": query or None})
    return page.render(
        "employers/employers.html",
        q=query,
        employers=[edge["node"] for edge in outcome.data["employers"]["edges"]],
        page_info=outcome.data["employers"]["pageInfo"],
        after=after,
    )


async def _new_page(
    page: Page, form: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Response[str]:
    assert page.viewer.tenant is not None
    regions = await page.execute(REGIONS, {"country": page.viewer.tenant.country})
    return page.render(
        "employers/new.html",
        status_code=status_code,
        form=form,
        errors=errors,
        regions=[(region["code"], region["name"]) for region in regions.data["administrativeDivisions"]],
    )


@get("/employers/new")
async def new_form(page: NamedDependency[Page]) -> Response[str]:
    """The form to register an employer."""
    page.require(Permission.MEMBERS_WRITE)
    return await _new_page(page, {}, {})


@post("/employers/new")
async def create(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Register the employer, then show its page."""
    page.require(Permission.MEMBERS_WRITE)
    form = await page.form()
    # The input's texts default to empty: a field left blank is sent as such.
    data = dict.fromkeys(FIELDS, "") | nested(form, FIELDS)
    outcome = await page.execute(CREATE, {"input": data})
    if outcome.refusal is None:
        return page.redirect(f"/employers/{outcome.data['employerCreate']['id']}?notice=created")
    return await _new_page(page, form, outcome.errors_within(FIELDS), status_code=400)


@get("/employers/{employer_id:str}")
async def employer_file(
    page: NamedDependency[Page],
    employer_id: FromPath[str],
    after: FromQuery[str | None] = None,
    notice: FromQuery[str] = "",
) -> Response[str]:
    """An employer's details and its employees today, each with their staff number and contract."""
    page.require(Permission.MEMBERS_READ)
    assert page.viewer.tenant is not None
    variables = {"id": employer_id, "first": PAGE_SIZE, "after": after, "country": page.viewer.tenant.country}
    outcome = await page.execute(EMPLOYEES, variables)
    employer = outcome.data["employer"]
    if employer is None:
        raise not_found()
    regions = {region["code"]: region["name"] for region in outcome.data["administrativeDivisions"]}
    return page.render(
        "employers/employer.html",
        employer=employer,
        region=regions.get(employer["region"] or "", employer["region"]),
        employees=[_employee(edge["node"], employer["id"]) for edge in outcome.data["members"]["edges"]],
        total=outcome.data["members"]["totalCount"],
        page_info=outcome.data["members"]["pageInfo"],
        after=after,
        notice="page.NOTICE_EMPLOYER_CREATED" if notice == "created" else None,
    )


def _employee(member: dict[str, Any], employer_id: str) -> dict[str, Any]:
    """A member with their employment at this employer."""
    job = next((job for job in member["employments"] if job["employer"]["id"] == employer_id), None)
    return {**member, "job": job}


PAGES = PageSet(
    name="employers",
    templates=Path(__file__).with_name("templates"),
    handlers=[employers, new_form, create, employer_file],
    menu=[MenuItem("page.MENU_EMPLOYERS", "/employers", Permission.MEMBERS_READ)],
)
