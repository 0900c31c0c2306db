"""A tenant's users: who they are, their roles; administrators change roles
and deactivate users, and a tenant always keeps an active administrator."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from tenants import audit, errors
from tenants.context import TenantContext
from tenants.roles import Role, role_fits_tenant
from tenants.scoping import within
from tenants.tables import Membership
from tenants.tx import Transaction

ADMIN_ROLES = (Role.TENANT_ADMIN, Role.MINISTRY_ADMIN)


@dataclass(frozen=True)
class TenantUser:
    """A user as one tenant sees them."""

    user_id: UUID
    full_name: str
    email: str | None
    phone: str | None
    role: Role
    is_active: bool


def _user(row: Any) -> TenantUser:
    return TenantUser(
        user_id=row["user_id"],
        full_name=row["full_name"],
        email=row["email"],
        phone=row["phone"],
        role=Role(row["role"]),
        is_active=row["is_active"],
    )


_SELECT = """
SELECT m.user_id, u.full_name, u.email, u.phone, m.role, m.is_active
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = $1
"""


async def list_users(tx: Transaction, ctx: TenantContext, *, limit: int = 500) -> list[TenantUser]:
    """The context's users, by name."""
    rows = await tx.connection.fetch(_SELECT + " ORDER BY u.full_name, m.user_id LIMIT $2", ctx.tenant_id, limit)
    return [_user(row) for row in rows]


async def _get(tx: Transaction, ctx: TenantContext, user_id: UUID) -> TenantUser:
    row = await tx.connection.fetchrow(_SELECT + " AND m.user_id = $2", ctx.tenant_id, user_id)
    if row is None:
        raise errors.UserNotFound(path=("input", "user"))
    return _user(row)


async def _keep_an_administrator(tx: Transaction, ctx: TenantContext, leaving: UUID) -> None:
    """Refuse when ``leaving`` is the tenant's last active administrator.
    Locking the administrators' rows serialises two admins demoting each other."""
    admins = await tx.connection.fetch(
        "SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = ANY($2::text[]) AND is_active FOR UPDATE",
        ctx.tenant_id,
        [role.value for role in ADMIN_ROLES],
    )
    if [row["user_id"] for row in admins] == [leaving]:
        raise errors.LastAdministrator(path=("input", "user"))


async def change_role(tx: Transaction, ctx: TenantContext, user_id: UUID, role: Role) -> TenantUser:
    """Give a user another role in the context's tenant; takes effect on their next request."""
    if not role_fits_tenant(role, ctx.tenant_kind):
        raise errors.RoleNotInTenant(path=("input", "role"), role=role.value)
    current = await _get(tx, ctx, user_id)
    if current.role in ADMIN_ROLES and role not in ADMIN_ROLES:
        await _keep_an_administrator(tx, ctx, user_id)
    await within(ctx, Membership).update({Membership.role: role}).where(Membership.user_id == user_id)
    await audit.record_change(
        tx, ctx, "user.role_change", "user", user_id, previous=current.role.value, role=role.value
    )
    return replace(current, role=role)


async def deactivate(tx: Transaction, ctx: TenantContext, user_id: UUID) -> TenantUser:
    """Remove a user's access to the context's tenant; their tokens stop working at once."""
    current = await _get(tx, ctx, user_id)
    if current.is_active and current.role in ADMIN_ROLES:
        await _keep_an_administrator(tx, ctx, user_id)
    await within(ctx, Membership).update({Membership.is_active: False}).where(Membership.user_id == user_id)
    await audit.record_change(tx, ctx, "user.deactivate", "user", user_id)
    return replace(current, is_active=False)
