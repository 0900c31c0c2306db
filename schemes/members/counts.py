"""Member counts per tenant, read from the tallies PostgreSQL keeps as
members and beneficiaries change (``member_tallies``): a dashboard reads a
few rows per tenant, never the register itself."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from schemes.members.tables import MemberStatus
from schemes.rules.model import MemberCategory
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.roles import TenantKind
from tenants.tx import Transaction

OVERSIGHT_READ = "oversight.member_counts_read"

CATEGORY_ORDER = {category.value: index for index, category in enumerate(MemberCategory)}


@dataclass(frozen=True)
class StatusCounts:
    """Members in each status."""

    pending: int = 0
    active: int = 0
    suspended: int = 0
    terminated: int = 0

    @property
    def members(self) -> int:
        """Every member, whatever their status."""
        return self.pending + self.active + self.suspended + self.terminated

    def plus(self, status: MemberStatus, count: int) -> StatusCounts:
        """These counts with ``count`` more members in ``status``."""
        return replace(self, **{status.value: getattr(self, status.value) + count})


@dataclass(frozen=True)
class TenantCounts:
    """A tenant's members by status, overall and per category, and its
    beneficiaries not removed from their household."""

    tenant_id: UUID
    statuses: StatusCounts
    beneficiaries: int
    categories: tuple[tuple[MemberCategory, StatusCounts], ...]
    """The categories the tenant has members of, in :class:`MemberCategory`'s order."""


def counted_tenants(ctx: TenantContext) -> list[UUID]:
    """Whose counts ``ctx`` reads: a ministry's, every tenant it supervises;
    a mutual's or an IPM's, its own."""
    if ctx.tenant_kind is TenantKind.MINISTRY:
        return sorted(ctx.supervised_tenant_ids)
    return [ctx.tenant_id]


async def member_counts(tx: Transaction, ctx: TenantContext) -> list[TenantCounts]:
    """The counts of :func:`counted_tenants` in the order of the tenants'
    names, a tenant without members included (zeros): one statement
    whatever their number. A ministry's read is recorded in its own log,
    once for the read."""
    tenant_ids = counted_tenants(ctx)
    if not tenant_ids:
        return []
    rows = await tx.fetch(
        "SELECT t.id AS tenant_id, y.status, y.category, y.member_count, y.beneficiary_count"
        " FROM tenants t LEFT JOIN member_tallies y ON y.tenant_id = t.id AND y.tenant_id = ANY ($1::uuid[])"
        " WHERE t.id = ANY ($1::uuid[]) ORDER BY t.name, t.id",
        tenant_ids,
    )
    if ctx.tenant_kind is TenantKind.MINISTRY:
        await audit.record_change(tx, ctx, OVERSIGHT_READ, "country", ctx.country)
    statuses: dict[UUID, StatusCounts] = {}
    beneficiaries: dict[UUID, int] = {}
    categories: dict[UUID, dict[str, StatusCounts]] = {}
    for row in rows:
        tenant_id = row["tenant_id"]
        statuses.setdefault(tenant_id, StatusCounts())
        beneficiaries.setdefault(tenant_id, 0)
        by_category = categories.setdefault(tenant_id, {})
        if row["status"] is None:
            beneficiaries[tenant_id] += row["beneficiary_count"] or 0
        elif row["member_count"]:
            status = MemberStatus(row["status"])
            statuses[tenant_id] = statuses[tenant_id].plus(status, row["member_count"])
            category = row["category"]
            by_category[category] = by_category.get(category, StatusCounts()).plus(status, row["member_count"])
    return [
        TenantCounts(
            tenant_id=tenant_id,
            statuses=statuses[tenant_id],
            beneficiaries=beneficiaries[tenant_id],
            categories=tuple(
                (MemberCategory(category), counts)
                for category, counts in sorted(categories[tenant_id].items(), key=lambda item: CATEGORY_ORDER[item[0]])
            ),
        )
        for tenant_id in statuses
    ]
