"""The tenant's schemes and their rule versions, as the administrator and
the managers read them: contributions and who pays them, rights, dependants,
the benefit package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from schemes.rules import forms
from tenants.permissions import Permission
from tenants.registry.currencies import MINOR_UNITS
from tenants.web import MenuItem, Page, PageSet, not_found

CONTRIBUTION = """contribution { basis period amount rate incomeFloor incomeCeiling registrationFee firstPeriodProRata
  shares { payer share } subsidisedCategories subsidyGroups }"""
SCHEMES = f"""
query Schemes {{
  schemes(first: 100) {{
    edges {{ node {{ id code name branch status categories
      currentVersion {{ number effectiveFrom currency {CONTRIBUTION} }} }} }}
  }}
}}
"""
SCHEME = f"""
query SchemeRules($id: ID!) {{
  scheme(id: $id) {{
    id code name branch status categories
    versions {{
      number effectiveFrom usedThrough currency
      {CONTRIBUTION}
      rights {{ graceDays unpaidPeriodsBeforeSuspension waitingPeriods {{ careCategory days }} }}
      dependents {{ childAgeLimit studentAgeLimit spousesAllowed husbandCovered othersAdmitted }}
      benefits {{ careCategory facilityLevel coverageRate fixedAmount ceilingPerEvent ceilingPerBeneficiaryYear
        ceilingPerHouseholdYear maxCountPerYear priorAuthorisation }}
    }}
  }}
}}
"""


SCHEME_CREATE = """
mutation SchemeCreate($input: SchemeCreateInput!) {
  schemeCreate(input: $input) {
    ... on Scheme { id }
    ... on SchemeCreateError { code path message }
  }
}
"""
VERSION_CREATE = """
mutation SchemeRuleVersionCreate($input: SchemeRuleVersionCreateInput!) {
  schemeRuleVersionCreate(input: $input) {
    ... on SchemeRuleVersion { number }
    ... on SchemeRuleVersionCreateError { code path message }
  }
}
"""
BRANCHES = ("HEALTH", "MATERNITY", "OLD_AGE", "WORK_INJURY", "FAMILY", "DEATH")
SCHEME_STATUSES = ("DRAFT", "ACTIVE", "CLOSED")
CATEGORIES = ("ARTISAN", "PRECARIOUS_WORKER", "MIGRANT", "SALARIED", "SELF_EMPLOYED")
SCHEME_FIELDS = ("code", "name", "branch", "categories", "status")
CHOICES = {
    "bases": ("PER_MEMBER", "PER_BENEFICIARY", "PER_HOUSEHOLD", "INCOME_RATE", "SALARY_RATE"),
    "periods": ("MONTHLY", "QUARTERLY", "YEARLY"),
    "payers": ("MEMBER", "EMPLOYER", "STATE"),
    "care": (
        "CONSULTATION",
        "HOSPITALISATION",
        "DRUGS",
        "MATERNITY",
        "SURGERY",
        "LABORATORY",
        "IMAGING",
        "DENTAL",
        "OPTICAL",
        "TRANSPORT",
    ),
    "levels": ("PUBLIC", "PRIVATE"),
    "categories": CATEGORIES,
    "groups": ("CASH_TRANSFER", "INDIGENT"),
}
NOTICES = {"created": "page.NOTICE_SCHEME_CREATED", "version": "page.NOTICE_VERSION_CREATED"}


@get("/schemes")
async def schemes(page: NamedDependency[Page]) -> Response[str]:
    """The tenant's schemes with the rule version in force today."""
    page.require(Permission.SCHEMES_READ)
    outcome = await page.execute(SCHEMES)
    return page.render("rules/schemes.html", schemes=[edge["node"] for edge in outcome.data["schemes"]["edges"]])


def _scheme_page(page: Page, form: dict[str, str], categories: list[str], errors: dict[str, str]) -> Response[str]:
    return page.render(
        "rules/scheme_new.html",
        status_code=400 if errors else 200,
        form=form,
        ticked=categories,
        errors=errors,
        branches=BRANCHES,
        statuses=SCHEME_STATUSES,
        categories=CATEGORIES,
    )


@get("/schemes/new")
async def new_scheme(page: NamedDependency[Page]) -> Response[str]:
    """The form of a new scheme: its code, name, branch and the categories it admits."""
    page.require(Permission.SCHEMES_WRITE)
    return _scheme_page(page, {"branch": "HEALTH", "status": "DRAFT"}, [], {})


@post("/schemes/new")
async def create_scheme(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Create the scheme, then show it, ready for its first rule version."""
    page.require(Permission.SCHEMES_WRITE)
    form = await page.form()
    categories = [value for value in (await page.request.form()).getall("categories", []) if value in CATEGORIES]
    variables = {
        "code": form.get("code", "").strip().upper(),
        "name": form.get("name", ""),
        "branch": form.get("branch") if form.get("branch") in BRANCHES else "",
        "categories": categories,
        "status": form.get("status") if form.get("status") in SCHEME_STATUSES else "DRAFT",
    }
    outcome = await page.execute(SCHEME_CREATE, {"input": variables})
    if outcome.refusal is None:
        return page.redirect(f"/schemes/{outcome.data['schemeCreate']['id']}?notice=created")
    return _scheme_page(page, form, categories, outcome.errors_within(SCHEME_FIELDS))


async def _scheme(page: Page, scheme_id: str) -> dict[str, Any]:
    outcome = await page.execute(SCHEME, {"id": scheme_id})
    found: dict[str, Any] | None = outcome.data["scheme"]
    if found is None:
        raise not_found()
    found["versions"] = sorted(found["versions"], key=lambda version: version["number"], reverse=True)
    return found


@get("/schemes/{scheme_id:str}")
async def scheme(page: NamedDependency[Page], scheme_id: FromPath[str], notice: FromQuery[str] = "") -> Response[str]:
    """One scheme and all its rule versions, newest first."""
    page.require(Permission.SCHEMES_READ)
    found = await _scheme(page, scheme_id)
    return page.render("rules/scheme.html", scheme=found, versions=found["versions"], notice=NOTICES.get(notice))


def _digits(page: Page) -> int:
    assert page.viewer.tenant is not None
    return MINOR_UNITS.get(page.viewer.tenant.currency, 2)


def _version_page(
    page: Page,
    found: dict[str, Any],
    form: dict[str, str],
    lists: dict[str, list[str]],
    *,
    blank: bool,
    action: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response[str]:
    return page.render(
        "rules/version_new.html",
        status_code=400 if errors else 200,
        scheme=found,
        form=form,
        lists=lists,
        rows=forms.rows(form, blank=blank, action=action),
        most=forms.ROWS,
        errors=errors or {},
        currency=page.viewer.tenant.currency if page.viewer.tenant else "",
        **CHOICES,
    )


@get("/schemes/{scheme_id:str}/versions/new")
async def new_version(page: NamedDependency[Page], scheme_id: FromPath[str]) -> Response[str]:
    """The form of a scheme's next rule version, filled in with the latest one's rules to change what changes."""
    page.require(Permission.SCHEMES_WRITE)
    found = await _scheme(page, scheme_id)
    latest = found["versions"][0] if found["versions"] else {}
    form = forms.version_form(latest, _digits(page), page.locale) if latest else {"dependents.childAgeLimit": "21"}
    return _version_page(page, found, form, forms.ticked(latest), blank=True)


@post("/schemes/{scheme_id:str}/versions/new")
async def create_version(page: NamedDependency[Page], scheme_id: FromPath[str]) -> Response[str] | Redirect:
    """Add the rule version; a refusal shows the form again with the error next to its field.
    "Add a line" shows it again with one more row of that list."""
    page.require(Permission.SCHEMES_WRITE)
    form = await page.form()
    posted = await page.request.form()
    lists = {name: [str(value) for value in posted.getall(name, [])] for name in forms.LISTS}
    action = form.get("action")
    if action and action.startswith("add:"):
        return _version_page(page, await _scheme(page, scheme_id), form, lists, blank=False, action=action)
    try:
        data = forms.version_input(form, lists, _digits(page))
    except forms.Unreadable as unreadable:
        errors = {unreadable.key: page.t(unreadable.code)}
        return _version_page(page, await _scheme(page, scheme_id), form, lists, blank=False, errors=errors)
    outcome = await page.execute(VERSION_CREATE, {"input": {**data, "schemeId": scheme_id}})
    if outcome.refusal is None:
        return page.redirect(f"/schemes/{scheme_id}?notice=version")
    if outcome.refusal["code"] == "SCHEME_NOT_FOUND":
        raise not_found()
    # Shown as sent, the blank rows dropped, so that the error's path names the row it is about.
    shown = {**forms.version_form(data, _digits(page), page.locale), "effectiveFrom": form.get("effectiveFrom", "")}
    errors = outcome.errors_within(forms.FIELDS)
    return _version_page(page, await _scheme(page, scheme_id), shown, forms.ticked(data), blank=True, errors=errors)


PAGES = PageSet(
    name="rules",
    templates=Path(__file__).with_name("templates"),
    handlers=[schemes, new_scheme, create_scheme, scheme, new_version, create_version],
    menu=[MenuItem("page.MENU_SCHEMES", "/schemes", Permission.SCHEMES_READ)],
)
