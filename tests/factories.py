"""Builders of tenants and contexts for tests, through the services."""

from __future__ import annotations

import secrets

import asyncpg

from tenants.context import SYSTEM, Principal, PrincipalKind, TenantContext
from tenants.identity import service as identity_service
from tenants.identity.tables import User
from tenants.registry import service as tenant_service
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, TenantStatus
from tenants.tx import platform_tx, tenant_tx

# Each test run uses one database; unique slugs and countries keep tests apart.
# Senegal and Côte d'Ivoire are named by tests themselves (the demo's country,
# the employers' tests' other country), so no test is handed them.
_COUNTRIES = iter(sorted(tenant_service.COUNTRIES - {"SN", "CI"}))


def fresh_country() -> str:
    """A country no other test uses (one ministry per country)."""
    return next(_COUNTRIES)


async def change_out_of_band(owner: asyncpg.Connection, statement: str, *args: object) -> None:
    """Change rows straight in the database, as an administrator would, outside
    Socle: the change declares itself audited elsewhere."""
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.audited', 'on', true)")
        await owner.execute(statement, *args)


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


PASSWORD = "Mot-de-passe-solide-1"


async def make_user(tenant: Tenant, role: Role, *, email: str | None = None, phone: str | None = None) -> User:
    """A user with ``role`` in ``tenant`` and the password ``PASSWORD``."""
    email = email if email or phone else f"{role.value}.{secrets.token_hex(4)}@test.socle.sn"
    async with platform_tx() as tx:
        user = await identity_service.create_user(
            tx,
            identity_service.NewUser(
                full_name=f"{role.value} {tenant.slug}", password=PASSWORD, email=email, phone=phone
            ),
        )
    await add_role(tenant, user, role)
    return user


async def add_role(tenant: Tenant, user: User, role: Role) -> None:
    """Give ``user`` a role in ``tenant``."""
    ctx = await context(tenant)
    async with tenant_tx(ctx) as tx:
        await identity_service.add_member(tx, ctx, user.id, role)
