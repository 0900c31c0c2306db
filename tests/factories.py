"""Builders of tenants and contexts for tests, through the services."""

from __future__ import annotations

import secrets

from tenants import service as tenant_service
from tenants.context import SYSTEM, Principal, PrincipalKind, TenantContext
from tenants.roles import Role, TenantKind, TenantStatus
from tenants.tables import Tenant
from tenants.tx import platform_tx

# Each test run uses one database; unique slugs and countries keep tests apart.
_COUNTRIES = iter(
    [
        "CI",
        "BJ",
        "TG",
        "ML",
        "BF",
        "NE",
        "GN",
        "CM",
        "GA",
        "TD",
        "CG",
        "CF",
        "MR",
        "KM",
        "DJ",
        "MG",
        "RW",
        "BI",
        "CD",
        "GQ",
        "GW",
        "CV",
        "ST",
        "HT",
        "TN",
        "MA",
        "DZ",
        "LB",
        "VU",
        "SC",
    ]
)


def fresh_country() -> str:
    """A country no other test uses (one ministry per country)."""
    return next(_COUNTRIES)


async def make_tenant(
    *, kind: TenantKind = TenantKind.MUTUAL, country: str = "SN", currency: str = "XOF", name: str | None = None
) -> Tenant:
    slug = f"{kind.value}-{secrets.token_hex(4)}"
    async with platform_tx() as tx:
        return await tenant_service.create_tenant(
            tx,
            tenant_service.NewTenant(
                kind=kind,
                name=name or f"Structure {slug}",
                slug=slug,
                country=country,
                currency=currency,
                status=TenantStatus.APPROVED,
            ),
        )


async def context(tenant: Tenant, role: Role | None = None) -> TenantContext:
    principal = SYSTEM if role is None else Principal(kind=PrincipalKind.USER, name=f"{role} of {tenant.slug}")
    async with platform_tx() as tx:
        return await tenant_service.context_for(tx, principal, tenant.id, role)
