"""A member's access online: the account, by their phone number, with which
they sign in by SMS code to see their own coverage (role ``member``).

A manager opens it from the member's file: the account is found by the
phone or created without a password, made a member of the tenant, and
linked to the member (one member per account in a tenant, kept by a unique
constraint). Closing it ends the membership; the link stays for the audit
until access is opened again."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.members import errors
from schemes.members.tables import Member, MemberStatus
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.identity import service as identity_service
from tenants.roles import Role
from tenants.scoping import within
from tenants.tx import Transaction

ACCOUNT_LOCK = "account"
"""The lock scope of an account's creation, the one invitations take too."""


async def _locked_member(ctx: TenantContext, member_id: UUID) -> Member:
    member: Member | None = (
        await within(ctx, Member).objects().where(Member.id == member_id).lock_rows("NO KEY UPDATE").first()
    )
    if member is None:
        raise errors.MemberNotFound(path=("input", "member"))
    return member


async def open_access(tx: Transaction, ctx: TenantContext, member_id: UUID) -> Member:
    """Open a member's access online, by their phone (a transaction
    ``with_platform``: it may create the account). Opening it again changes
    nothing. Refused for a terminated member, a member without a phone, a
    phone of the tenant's staff or of another member's access."""
    member = await _locked_member(ctx, member_id)
    if member.status == MemberStatus.TERMINATED:
        raise errors.AccessOfTerminated(path=("input", "member"), number=member.number)
    if member.phone is None:
        raise errors.PhoneRequired(path=("input", "member"))
    await identity_service.lock_contact(tx, ACCOUNT_LOCK, "phone", member.phone)
    account = await identity_service.find_user_by_phone(tx, member.phone)
    if account is not None and not account.is_active:
        raise errors.AccountDisabled(path=("input", "member"))
    if account is None:
        user = await identity_service.create_user(
            tx,
            identity_service.NewUser(
                full_name=f"{member.first_names} {member.last_name}", password=None, phone=member.phone
            ),
        )
        user_id = user.id
    else:
        user_id = account.id
    former = await identity_service.membership_of(tx, ctx, user_id)
    if former is not None and former.role != Role.MEMBER:
        raise errors.PhoneOfStaff(path=("input", "member"))
    linked = await within(ctx, Member).objects().where(Member.user_id == user_id).first()
    if linked is not None and linked.id != member.id:
        raise errors.PhoneOfAnotherMember(path=("input", "member"), number=linked.number)
    if former is not None and former.is_active and member.user_id == user_id:
        return member
    if former is None or not former.is_active:
        await identity_service.join(tx, ctx, user_id, Role.MEMBER, former)
    await within(ctx, Member).update({Member.user_id: user_id}).where(Member.id == member.id)
    await audit.record_change(tx, ctx, "member.access_open", "member", member.id, user=str(user_id))
    member.user_id = user_id
    return member


async def close_access(tx: Transaction, ctx: TenantContext, member_id: UUID) -> Member:
    """Close a member's access online: their sessions stop working at once.
    Closing a closed access changes nothing."""
    member = await _locked_member(ctx, member_id)
    if member.user_id is None:
        return member
    former = await identity_service.membership_of(tx, ctx, member.user_id)
    if former is not None and former.is_active:
        await identity_service.deactivate(tx, ctx, member.user_id)
    await audit.record_change(tx, ctx, "member.access_close", "member", member.id)
    return member


async def with_access(tx: Transaction, member_ids: Sequence[UUID]) -> set[UUID]:
    """Those of ``member_ids`` whose access online is open (linked to an
    active membership), among the members the transaction may read: its
    tenant's, or a ministry's supervised tenants' (row-level security)."""
    rows = await tx.fetch(
        "SELECT m.id FROM members m JOIN memberships s ON s.tenant_id = m.tenant_id AND s.user_id = m.user_id"
        " WHERE m.id = ANY($1::uuid[]) AND s.is_active",
        list(member_ids),
        across_tenants=True,
    )
    return {row["id"] for row in rows}


async def member_of_user(tx: Transaction, ctx: TenantContext, user_id: UUID) -> Member | None:
    """The member whose access online is the account ``user_id``, in the context's tenant."""
    found = await within(ctx, Member).among(Member.user_id, [user_id])
    return found[0] if found else None
