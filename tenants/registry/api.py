"""GraphQL types and queries of the tenants registry: the tenant, the viewer,
and any object by its global id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from tenants.context import PrincipalKind
from tenants.graphql import Info, field, node_uuids
from tenants.permissions import Permission
from tenants.registry import tables
from tenants.registry.loaders import tenants_by_id
from tenants.roles import Role, TenantKind, TenantStatus

strawberry.enum(TenantKind, description="What a tenant is.")
strawberry.enum(TenantStatus, description="Where a tenant stands in its licensing (agrément).")
strawberry.enum(Role, description="A user's role inside one tenant.")
strawberry.enum(PrincipalKind, description="What kind of caller a principal is.")


@strawberry.type(description="A ministry, mutual or IPM: the unit of isolation in Socle.")
class Tenant(relay.Node):
    id: relay.NodeID[UUID]
    kind: TenantKind
    name: str = strawberry.field(description="Official name.")
    slug: str = strawberry.field(description="Short unique identifier, lower-case letters, digits and hyphens.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    currency: str = strawberry.field(
        description="ISO 4217 code of the currency the tenant keeps accounts in; amounts are in its minor unit."
    )
    status: TenantStatus
    created_at: datetime

    @classmethod
    def from_row(cls, row: tables.Tenant) -> Tenant:
        """The GraphQL view of a tenant row."""
        return cls(
            id=row.id,
            kind=TenantKind(row.kind),
            name=row.name,
            slug=row.slug,
            country=row.country,
            currency=row.currency,
            status=TenantStatus(row.status),
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Tenant | None]:
        viewer = info.context.viewer
        if viewer.tenant is None or not viewer.tenant.allows(Permission.TENANT_READ):
            return [None for _ in node_ids]
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(tenants_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.id: row for row in found if row is not None}
        return [cls.from_row(by_id[i]) if i in by_id else None for i in ids]


async def _load_tenant(info: Info, tenant_id: UUID | None) -> Tenant | None:
    if tenant_id is None:
        return None
    row = await info.context.loaders.get(tenants_by_id).load(tenant_id)
    return Tenant.from_row(row) if row else None


@strawberry.type(description="Who is calling, and in which tenant.")
class Viewer:
    authenticated: bool = strawberry.field(description="Whether the caller proved who it is.")
    principal_kind: PrincipalKind
    name: str | None = strawberry.field(description="Display name of the user or partner application.")
    role: Role | None = strawberry.field(description="The caller's role in the current tenant.")
    tenant_id: strawberry.Private[UUID | None]

    @field("The tenant the caller acts in; null when not signed in.")
    async def tenant(self, info: Info) -> Tenant | None:
        return await _load_tenant(info, self.tenant_id)


@strawberry.type
class Query:
    @field("The caller: who it is and in which tenant it acts.")
    def viewer(self, info: Info) -> Viewer:
        viewer = info.context.viewer
        principal = viewer.principal
        return Viewer(
            authenticated=principal.is_authenticated,
            principal_kind=principal.kind,
            name=principal.name or None,
            role=viewer.tenant.role if viewer.tenant else None,
            tenant_id=viewer.tenant.tenant_id if viewer.tenant else None,
        )

    @field("The tenant the caller acts in. Requires `tenant:read`.", permission=Permission.TENANT_READ)
    async def tenant(self, info: Info) -> Tenant | None:
        current = info.context.viewer.tenant
        return await _load_tenant(info, current.tenant_id if current else None)

    @field(
        "Any object by its global id; null when it does not exist or the caller may not see it. "
        "Each type checks its own permission (a tenant: `tenant:read`)."
    )
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:  # noqa: A002
        try:
            return await id.resolve_node(info, required=False)
        except GlobalIDValueError:
            return None  # the id of a type that is not a Node (a user, an invitation): not found
