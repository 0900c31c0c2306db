"""The ministry's page of the tenants it supervises: each one's licensing
status and member counts, and the way to its audit log."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.di import NamedDependency

from tenants.permissions import Permission
from tenants.web import MenuItem, Page, PageSet

SUPERVISED = """
query SupervisedTenants {
  memberCounts {
    members active pending suspended terminated beneficiaries
    tenant { id name slug kind status }
  }
}
"""


@get("/ministry/tenants")
async def supervised_tenants(page: NamedDependency[Page]) -> Response[str]:
    """The supervised tenants, by name, with their counts (the ministry's read is recorded)."""
    page.require(Permission.OVERSIGHT_READ)
    outcome = await page.execute(SUPERVISED)
    counts = [count for count in outcome.data["memberCounts"] if count["tenant"] is not None]
    counts.sort(key=lambda count: count["tenant"]["name"])
    return page.render("registry/tenants.html", counts=counts)


PAGES = PageSet(
    name="registry",
    templates=Path(__file__).with_name("templates"),
    handlers=[supervised_tenants],
    menu=[MenuItem("page.MENU_TENANTS", "/ministry/tenants", Permission.OVERSIGHT_READ)],
)
