"""The tenant's schemes and their rule versions, as the administrator and
the managers read them: contributions and who pays them, rights, dependants,
the benefit package."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from tenants.permissions import Permission
from tenants.web import MenuItem, Page, PageSet, not_found

CONTRIBUTION = """contribution { basis period amount rate incomeFloor incomeCeiling registrationFee
  shares { payer share } subsidisedCategories }"""
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


@get("/schemes")
async def schemes(page: NamedDependency[Page]) -> Response[str]:
    """The tenant's schemes with the rule version in force today."""
    page.require(Permission.SCHEMES_READ)
    outcome = await page.execute(SCHEMES)
    return page.render("rules/schemes.html", schemes=[edge["node"] for edge in outcome.data["schemes"]["edges"]])


@get("/schemes/{scheme_id:str}")
async def scheme(page: NamedDependency[Page], scheme_id: FromPath[str]) -> Response[str]:
    """One scheme and all its rule versions, newest first."""
    page.require(Permission.SCHEMES_READ)
    outcome = await page.execute(SCHEME, {"id": scheme_id})
    found = outcome.data["scheme"]
    if found is None:
        raise not_found()
    versions = sorted(found["versions"], key=lambda version: version["number"], reverse=True)
    return page.render("rules/scheme.html", scheme=found, versions=versions)


PAGES = PageSet(
    name="rules",
    templates=Path(__file__).with_name("templates"),
    handlers=[schemes, scheme],
    menu=[MenuItem("page.MENU_SCHEMES", "/schemes", Permission.SCHEMES_READ)],
)
