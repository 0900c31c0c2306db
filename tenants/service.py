"""Rules of the tenancy kernel: registering tenants, resolving contexts,
reading tenants, and the accounts that act in them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import phonenumbers

from tenants import audit, errors
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.currencies import MINOR_UNITS
from tenants.passwords import check_strength, hash_password
from tenants.permissions import Permission, permissions_of
from tenants.roles import Role, TenantKind, TenantStatus, role_fits_tenant
from tenants.scoping import within
from tenants.tables import Membership, Tenant, User
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
        raise errors.InvalidName(path=("input", "name"))
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
    await tenant.save()
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
    row = await tx.connection.fetchrow(f"SELECT {TENANT_SCOPE} FROM tenants t WHERE t.id = $1", tenant_id)
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


async def user_context(
    tx: Transaction, user_id: UUID, tenant_id: UUID, session_id: UUID, request_id: str | None = None
) -> TenantContext | None:
    """The context of a signed-in user (platform transaction), or None when the
    session was revoked or the user, or their membership, is no longer active."""
    row = await tx.connection.fetchrow(
        f"""
        SELECT u.full_name, m.role, {TENANT_SCOPE}
        FROM sessions s
        JOIN users u ON u.id = s.user_id
        JOIN memberships m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
        JOIN tenants t ON t.id = s.tenant_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.tenant_id = $3
          AND s.revoked_at IS NULL AND u.is_active AND m.is_active
        """,
        session_id,
        user_id,
        tenant_id,
    )
    if row is None:
        return None
    principal = Principal(kind=PrincipalKind.USER, id=user_id, name=row["full_name"], session_id=session_id)
    return context_from_row(row, principal, Role(row["role"]), request_id, None)


async def tenants_by_id(tx: Transaction, ids: list[UUID]) -> list[Tenant | None]:
    """Tenants in the order of ``ids``; None where the context may not see one."""
    if not ids:
        return []
    rows = await Tenant.objects().where(Tenant.id.is_in(list(set(ids))))
    by_id = {row.id: row for row in rows}
    return [by_id.get(tenant_id) for tenant_id in ids]


@dataclass(frozen=True)
class NewUser:
    """What creating an account needs: an email or an E.164 phone number, or both."""

    full_name: str
    password: str
    email: str | None = None
    phone: str | None = None
    locale: str = "fr"


async def create_user(tx: Transaction, data: NewUser) -> User:
    """Create an account (platform transaction); the password is stored hashed."""
    check_strength(data.password)
    email = data.email.strip().lower() if data.email else None
    user = User(
        email=email,
        phone=data.phone,
        full_name=data.full_name.strip(),
        password_hash=hash_password(data.password),
        locale=data.locale,
    )
    await user.save()
    contact = {key: value for key, value in (("email", email), ("phone", data.phone)) if value}
    await audit.record_change(tx, tx.context, "user.create", "user", user.id, **contact)
    return user


async def find_user_by_email(tx: Transaction, email: str) -> User | None:
    """The account with ``email``, if the transaction's context may see it."""
    return await User.objects().where(User.email == email.strip().lower()).first()


async def add_member(tx: Transaction, ctx: TenantContext, user_id: UUID, role: Role) -> Membership:
    """Give ``user_id`` a role in the context's tenant. Ministry roles exist
    only in a ministry, the others only in mutuals and IPMs."""
    if not role_fits_tenant(role, ctx.tenant_kind):
        raise errors.RoleNotInTenant(path=("input", "role"), role=role.value)
    memberships = within(ctx, Membership)
    membership = memberships.new(user_id=user_id, role=role)
    await memberships.insert(membership)
    await audit.record_change(tx, ctx, "membership.create", "user", user_id, role=role.value)
    return membership
