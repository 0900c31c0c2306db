"""GraphQL query of member counts per tenant, for dashboards: a mutual's or
an IPM's own, a ministry's of every tenant it supervises."""

from __future__ import annotations

from uuid import UUID

import strawberry

from schemes.members import counts as member_counts
from schemes.rules.model import MemberCategory
from tenants.graphql import Info, field, tenant_of
from tenants.permissions import Permission
from tenants.registry.api import Tenant
from tenants.registry.loaders import tenants_by_id
from tenants.tx import tenant_tx

MEMBERS = "Every member enrolled, whatever their status (the sum of the four statuses)."


@strawberry.type(description="How many members of a tenant belong to one category, by status.")
class MemberCategoryCount:
    category: MemberCategory
    members: int = strawberry.field(description=MEMBERS)
    pending: int
    active: int
    suspended: int
    terminated: int

    @classmethod
    def of(cls, category: MemberCategory, counts: member_counts.StatusCounts) -> MemberCategoryCount:
        """The GraphQL view of a category's counts."""
        return cls(
            category=category,
            members=counts.members,
            pending=counts.pending,
            active=counts.active,
            suspended=counts.suspended,
            terminated=counts.terminated,
        )


@strawberry.type(
    description="How many members and beneficiaries a tenant has, kept exact as they change (never counted at "
    "the time of the read)."
)
class TenantMemberCount:
    members: int = strawberry.field(description=MEMBERS)
    pending: int
    active: int
    suspended: int
    terminated: int
    beneficiaries: int = strawberry.field(
        description="Beneficiaries (ayants droit) not removed from their household, whatever their member's status."
    )
    by_category: list[MemberCategoryCount] = strawberry.field(
        description="The categories the tenant has members of, each with its counts."
    )
    _tenant_id: strawberry.Private[UUID]

    @field("The tenant counted.")
    async def tenant(self, info: Info) -> Tenant | None:
        row = await info.context.loaders.get(tenants_by_id).load(self._tenant_id)
        return Tenant.from_row(row) if row else None

    @classmethod
    def of(cls, counts: member_counts.TenantCounts) -> TenantMemberCount:
        """The GraphQL view of a tenant's counts."""
        statuses = counts.statuses
        return cls(
            _tenant_id=counts.tenant_id,
            members=statuses.members,
            pending=statuses.pending,
            active=statuses.active,
            suspended=statuses.suspended,
            terminated=statuses.terminated,
            beneficiaries=counts.beneficiaries,
            by_category=[MemberCategoryCount.of(category, of) for category, of in counts.categories],
        )


@strawberry.type
class Query:
    @field(
        "Member counts of the caller's tenant (one entry) or, for a ministry, of every tenant it supervises "
        "(the read is recorded in its log), in the order of the tenants' names. Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def member_counts(self, info: Info) -> list[TenantMemberCount]:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            found = await member_counts.member_counts(tx, context)
        return [TenantMemberCount.of(counts) for counts in found]
