"""The tenants registry: registering ministries, mutuals and IPMs, reading
them, and the contexts callers act in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import phonenumbers

from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.errors import InvalidName
from tenants.permissions import Permission, permissions_of
from tenants.registry import errors
from tenants.registry.currencies import MINOR_UNITS
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, TenantStatus
from tenants.tx import Transaction

SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) - {"001"}
"""ISO 3166-1 alpha-2 codes of the countries and territories with a numbering plan."""


@dataclass(frozen=True)
class NewTenant:
    """What registering a tenant needs."""

    kind: TenantKind
    name: str
    slug: str
    country: str
    currency: str
    status: TenantStatus = TenantStatus.PENDING


async def create_tenant(tx: Transaction, data: NewTenant) -> Tenant:
    """Register a tenant (platform transaction). Rule: one ministry per country."""
    name = data.name.strip()
    if not 2 <= len(name) <= 200:
        raise InvalidName(path=("input", "name"))
    if not SLUG.match(data.slug):
        raise errors.InvalidSlug(path=("input", "slug"), slug=data.slug)
    if data.country not in COUNTRIES:
        raise errors.UnknownCountry(path=("input", "country"), country=data.country)
    if data.currency not in MINOR_UNITS:
        raise errors.UnsupportedCurrency(path=("input", "currency"), currency=data.currency)
    if await Tenant.exists().where(Tenant.slug == data.slug):
        raise errors.SlugTaken(path=("input", "slug"), slug=data.slug)
    if data.kind is TenantKind.MINISTRY and await Tenant.exists().where(
        (Tenant.kind == TenantKind.MINISTRY) & (Tenant.country == data.country)
    ):
        raise errors.MinistryExists(path=("input", "country"), country=data.country)
    tenant = Tenant(
        kind=data.kind,
        name=name,
        slug=data.slug,
        country=data.country,
        currency=data.currency,
        status=data.status,
    )
    try:
        await tenant.save()
    except asyncpg.UniqueViolationError as error:
        # Another registration of the same slug (or ministry) committed between the check and the insert.
        if error.constraint_name == "tenants_one_ministry_per_country":
            raise errors.MinistryExists(path=("input", "country"), country=data.country) from None
        raise errors.SlugTaken(path=("input", "slug"), slug=data.slug) from None
    await audit.record_change(
        tx,
        tx.context,
        "tenant.create",
        "tenant",
        tenant.id,
        slug=tenant.slug,
        kind=data.kind.value,
        country=tenant.country,
    )
    return tenant


async def find_tenant_by_slug(tx: Transaction, slug: str) -> Tenant | None:
    """The tenant with ``slug``, if the transaction's context may see it."""
    return await Tenant.objects().where(Tenant.slug == slug).first()


async def context_for(
    tx: Transaction,
    principal: Principal,
    tenant_id: UUID,
    role: Role | None = None,
    request_id: str | None = None,
    permissions: frozenset[Permission] | None = None,
) -> TenantContext:
    """Build the context of ``principal`` acting in ``tenant_id`` (platform
    transaction). A ministry's context supervises every other tenant of its
    country. Permissions default to the role's, or to all for Socle itself."""
    row = await tx.fetchrow(f"SELECT {TENANT_SCOPE} FROM tenants t WHERE t.id = $1", tenant_id)
    if row is None:
        raise errors.TenantNotFound(tenant_id=str(tenant_id))
    return context_from_row(row, principal, role, request_id, permissions)


def context_from_row(
    row: Any,
    principal: Principal,
    role: Role | None,
    request_id: str | None,
    permissions: frozenset[Permission] | None,
) -> TenantContext:
    """The context of ``principal`` from a row with the :data:`TENANT_SCOPE` columns."""
    if permissions is None:
        if role is not None:
            permissions = permissions_of(role)
        elif principal.kind is PrincipalKind.SYSTEM:
            permissions = frozenset(Permission)
        else:
            permissions = frozenset()
    return TenantContext(
        principal=principal,
        tenant_id=row["tenant_id"],
        tenant_kind=TenantKind(row["tenant_kind"]),
        country=row["country"],
        currency=row["currency"],
        role=role,
        permissions=permissions,
        supervised_tenant_ids=frozenset(row["supervised"]),
        request_id=request_id,
    )


TENANT_SCOPE = """
t.id AS tenant_id, t.kind AS tenant_kind, t.country, t.currency,
CASE WHEN t.kind = 'ministry'
     THEN ARRAY(SELECT other.id FROM tenants other WHERE other.country = t.country AND other.kind <> 'ministry')
     ELSE '{}'::uuid[] END AS supervised
"""
"""The columns a context needs from its tenant ``t``; a ministry supervises
the other tenants of its country."""


async def tenants_by_id(tx: Transaction, ids: list[UUID]) -> list[Tenant | None]:
    """Tenants in the order of ``ids``; None where the context may not see one."""
    if not ids:
        return []
    rows = await Tenant.objects().where(Tenant.id.is_in(list(set(ids))))
    by_id = {row.id: row for row in rows}
    return [by_id.get(tenant_id) for tenant_id in ids]
