"""The audit log's pages: a tenant's own log with its chain's check, and the
log of a tenant its ministry supervises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from tenants.permissions import Permission
from tenants.web import MenuItem, Page, PageSet, not_found

PAGE_SIZE = 50

LOG = """
query AuditLog($first: Int!, $after: String) {
  auditChain { intact checked brokenAtSeq }
  auditEvents(first: $first, after: $after) { ...Events }
}
"""
SUPERVISED_LOG = """
query SupervisedAuditLog($tenant: ID!, $first: Int!, $after: String) {
  auditChain(tenant: $tenant) { intact checked brokenAtSeq }
  auditEvents(tenant: $tenant, first: $first, after: $after) { ...Events }
  node(id: $tenant) { ... on Tenant { name } }
}
"""
EVENTS = """
fragment Events on AuditEventConnection {
  edges { node { seq occurredAt actorKind actorName action targetType targetId sourceAddress } }
  pageInfo { hasNextPage endCursor }
}
"""


async def _log(page: Page, tenant: str | None, after: str | None, base: str) -> Response[str]:
    if tenant is None:
        outcome = await page.execute(LOG + EVENTS, {"first": PAGE_SIZE, "after": after})
    else:
        outcome = await page.execute(SUPERVISED_LOG + EVENTS, {"tenant": tenant, "first": PAGE_SIZE, "after": after})
    chain: dict[str, Any] | None = outcome.data["auditChain"]
    if chain is None:
        raise not_found()
    named = outcome.data.get("node")
    return page.render(
        "audit/log.html",
        chain=chain,
        events=outcome.data["auditEvents"],
        tenant_name=named["name"] if named else None,
        after=after,
        base=base,
    )


@get("/audit")
async def own_log(page: NamedDependency[Page], after: FromQuery[str | None] = None) -> Response[str]:
    """The tenant's audit log, newest first, and whether its chain is intact."""
    page.require(Permission.AUDIT_READ)
    return await _log(page, None, after, "/audit")


@get("/ministry/tenants/{tenant_id:str}/audit")
async def supervised_log(
    page: NamedDependency[Page], tenant_id: FromPath[str], after: FromQuery[str | None] = None
) -> Response[str]:
    """The audit log of a tenant the ministry supervises (its read is itself recorded)."""
    page.require(Permission.OVERSIGHT_READ)
    return await _log(page, tenant_id, after, f"/ministry/tenants/{tenant_id}/audit")


PAGES = PageSet(
    name="audit",
    templates=Path(__file__).with_name("templates"),
    handlers=[own_log, supervised_log],
    menu=[MenuItem("page.MENU_AUDIT", "/audit", Permission.AUDIT_READ)],
)
