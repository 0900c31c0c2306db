"""Identity: the accounts people sign in with, their memberships (a role in
a tenant), and a tenant's users as its administrators manage them (roles,
deactivation; a tenant always keeps an active administrator)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.identity import errors
from tenants.identity.passwords import check_strength, hash_password
from tenants.identity.tables import Membership, User
from tenants.registry.service import TENANT_SCOPE, context_from_row
from tenants.roles import Role, role_fits_tenant
from tenants.scoping import within
from tenants.tx import Transaction

ADMIN_ROLES = (Role.TENANT_ADMIN, Role.MINISTRY_ADMIN)


USER_CONTEXT = f"""
        SELECT u.full_name, m.role, {TENANT_SCOPE}
        FROM sessions s
        JOIN users u ON u.id = s.user_id
        JOIN memberships m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
        JOIN tenants t ON t.id = s.tenant_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.tenant_id = $3
          AND s.revoked_at IS NULL AND u.is_active AND m.is_active AND t.status <> 'withdrawn'
        """
"""The caller's session, account, membership and tenant, checked together
(platform transaction): ``$1`` session, ``$2`` user, ``$3`` tenant."""


async def user_context(
    tx: Transaction, user_id: UUID, tenant_id: UUID, session_id: UUID, request_id: str | None = None
) -> TenantContext | None:
    """The context of a signed-in user (platform transaction), or None when the
    session was revoked, the user or their membership is no longer active, or
    the tenant was withdrawn."""
    row = await tx.fetchrow(USER_CONTEXT, session_id, user_id, tenant_id)
    if row is None:
        return None
    principal = Principal(kind=PrincipalKind.USER, id=user_id, name=row["full_name"], session_id=session_id)
    return context_from_row(row, principal, Role(row["role"]), request_id, None)


@dataclass(frozen=True)
class NewUser:
    """What creating an account needs: an email or an E.164 phone number, or
    both; without a password, the account signs in with codes sent by SMS."""

    full_name: str
    password: str | None
    email: str | None = None
    phone: str | None = None
    locale: str = "fr"


async def create_user(tx: Transaction, data: NewUser) -> User:
    """Create an account (platform transaction); the password is stored hashed."""
    if data.password is not None:
        check_strength(data.password)
    email = data.email.strip().lower() if data.email else None
    user = User(
        email=email,
        phone=data.phone,
        full_name=data.full_name.strip(),
        password_hash=await hash_password(data.password) if data.password is not None else None,
        locale=data.locale,
    )
    await user.save()
    contact = {key: value for key, value in (("email", email), ("phone", data.phone)) if value}
    await audit.record_change(tx, tx.context, "user.create", "user", user.id, **contact)
    return user


async def lock_contact(tx: Transaction, scope: str, column: str, value: str) -> None:
    """Serialise the transactions about one email or phone in ``scope`` until
    they end. Taken before any row lock, so that two requests about one contact
    wait for each other instead of deadlocking or colliding on a unique index;
    scope ``account`` is the creation of the contact's account."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{scope}:{column}:{value}")


async def find_user_by_email(tx: Transaction, email: str) -> User | None:
    """The account with ``email``, if the transaction's context may see it."""
    return await User.objects().where(User.email == email.strip().lower()).first()


async def find_user_by_phone(tx: Transaction, phone: str) -> User | None:
    """The account with the E.164 ``phone``, if the transaction's context may see it."""
    found: User | None = await User.objects().where(User.phone == phone).first()
    return found


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


async def membership_of(tx: Transaction, ctx: TenantContext, user_id: UUID) -> Membership | None:
    """``user_id``'s membership of the context's tenant, active or not, locked until the transaction ends."""
    found: Membership | None = (
        await within(ctx, Membership).objects().where(Membership.user_id == user_id).lock_rows("NO KEY UPDATE").first()
    )
    return found


async def join(tx: Transaction, ctx: TenantContext, user_id: UUID, role: Role, former: Membership | None) -> None:
    """Make ``user_id`` an active member with ``role``: a new membership, or
    their ``former`` one (inactive) reactivated."""
    if former is None:
        await add_member(tx, ctx, user_id, role)
        return
    await (
        within(ctx, Membership)
        .update({Membership.role: role, Membership.is_active: True})
        .where(Membership.user_id == user_id)
    )
    await audit.record_change(tx, ctx, "membership.reactivate", "user", user_id, role=role.value)


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


async def list_users(
    tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
) -> list[TenantUser]:
    """Up to ``limit`` of the context's users, by name, after the user at
    ``after`` (keyset pagination on name and id)."""
    if after is None:
        rows = await tx.fetch(_SELECT + " ORDER BY u.full_name, m.user_id LIMIT $2", ctx.tenant_id, limit)
    else:
        rows = await tx.fetch(
            _SELECT + " AND (u.full_name, m.user_id) > ($3, $4) ORDER BY u.full_name, m.user_id LIMIT $2",
            ctx.tenant_id,
            limit,
            *after,
        )
    return [_user(row) for row in rows]


async def count_users(tx: Transaction, ctx: TenantContext) -> int:
    """How many users the context's tenant has, active or not."""
    count: int = await within(ctx, Membership).count()
    return count


async def _get(tx: Transaction, ctx: TenantContext, user_id: UUID) -> TenantUser:
    row = await tx.fetchrow(_SELECT + " AND m.user_id = $2", ctx.tenant_id, user_id)
    if row is None:
        raise errors.UserNotFound(path=("input", "user"))
    return _user(row)


async def _keep_an_administrator(tx: Transaction, ctx: TenantContext, leaving: UUID) -> None:
    """Refuse when ``leaving`` is the tenant's last active administrator.
    Locking the administrators' rows serialises two admins demoting each other."""
    admins = await tx.fetch(
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
