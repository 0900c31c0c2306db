"""Invitations: a tenant's administrator invites a person, by email or SMS, to
join with a role. The message carries a link with a token; the person
accepts by choosing a password (new account) or by giving theirs (existing
account), and the account and the membership are made together.

The token is made when the message is sent (by a job), so it exists only in
the message; the invitation keeps its SHA-256. Sending again replaces it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from tenants import audit, errors
from tenants import service as tenant_service
from tenants.contacts import e164, email_address
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.passwords import verify_password
from tenants.roles import Role, role_fits_tenant
from tenants.scoping import within
from tenants.tables import Invitation, Membership
from tenants.tx import Transaction

INVITATION_LIFETIME = timedelta(days=7)
SEND_ACTOR = "send_invitation"
"""The job that sends an invitation's message (``workers.invitations``)."""


class InvitationStatus(StrEnum):
    """Where an invitation stands."""

    PENDING = "pending"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


def status_of(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    """The invitation's status at ``now``."""
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= (now or datetime.now(UTC)):
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def _refuse_unless_pending(invitation: Invitation, path: tuple[str, ...]) -> None:
    status = status_of(invitation)
    if status is InvitationStatus.ACCEPTED:
        raise errors.InvitationAccepted(path=path)
    if status is InvitationStatus.REVOKED:
        raise errors.InvitationNotFound(path=path)
    if status is InvitationStatus.EXPIRED:
        raise errors.InvitationExpired(path=path)


def token_digest(token: str) -> str:
    """How an invitation token is stored: SHA-256 (tokens are 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    """Who to invite, with which role, and in which language to write to them."""

    full_name: str
    role: Role
    email: str | None = None
    phone: str | None = None
    locale: str = "fr"


def _contacts(data: NewInvitation) -> tuple[str | None, str | None]:
    email = phone = None
    if data.email and data.email.strip():
        email = email_address(data.email)
        if email is None:
            raise errors.InvalidEmail(path=("input", "email"))
    if data.phone and data.phone.strip():
        phone = e164(data.phone)
        if phone is None:
            raise errors.InvalidPhone(path=("input", "phone"))
    if email is None and phone is None:
        raise errors.ContactRequired(path=("input", "email"))
    return email, phone


async def _is_active_member(tx: Transaction, ctx: TenantContext, email: str | None, phone: str | None) -> bool:
    found = await tx.connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id"
        " WHERE m.tenant_id = $1 AND m.is_active AND (u.email = $2 OR u.phone = $3))",
        ctx.tenant_id,
        email,
        phone,
    )
    return bool(found)


def _contact_summary(invitation: Invitation) -> dict[str, str]:
    return {key: value for key, value in (("email", invitation.email), ("phone", invitation.phone)) if value}


async def invite(tx: Transaction, ctx: TenantContext, data: NewInvitation) -> Invitation:
    """Invite a person to the context's tenant and queue the message. An open
    invitation to the same email or phone is replaced."""
    full_name = data.full_name.strip()
    if not 2 <= len(full_name) <= 200:
        raise errors.InvalidName(path=("input", "fullName"))
    if not role_fits_tenant(data.role, ctx.tenant_kind):
        raise errors.RoleNotInTenant(path=("input", "role"), role=data.role.value)
    email, phone = _contacts(data)
    if await _is_active_member(tx, ctx, email, phone):
        raise errors.AlreadyMember(path=("input", "email" if email else "phone"))
    now = datetime.now(UTC)
    invitations = within(ctx, Invitation)
    same_contact: Any = Invitation.email == email if email else Invitation.phone == phone
    if email and phone:
        same_contact = same_contact | (Invitation.phone == phone)
    replaced = await invitations.objects().where(
        Invitation.accepted_at.is_null() & Invitation.revoked_at.is_null() & same_contact
    )
    for old in replaced:
        await invitations.update({Invitation.revoked_at: now}).where(Invitation.id == old.id)
        await audit.record_change(tx, ctx, "invitation.revoke", "invitation", old.id, reason="replaced")
    invitation = invitations.new(
        full_name=full_name,
        email=email,
        phone=phone,
        role=data.role,
        locale=data.locale,
        invited_by=ctx.principal.id if ctx.principal.kind is PrincipalKind.USER else None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    await invitations.insert(invitation)
    await audit.record_change(
        tx, ctx, "invitation.create", "invitation", invitation.id, role=data.role.value, **_contact_summary(invitation)
    )
    await tx.enqueue(SEND_ACTOR, tenant_id=str(ctx.tenant_id), invitation_id=str(invitation.id))
    return invitation


async def list_invitations(tx: Transaction, ctx: TenantContext, *, limit: int = 100) -> list[Invitation]:
    """The tenant's invitations, newest first."""
    return await (
        within(ctx, Invitation).objects().order_by(Invitation.created_at, Invitation.id, ascending=False).limit(limit)
    )


async def _find(ctx: TenantContext, invitation_id: UUID) -> Invitation:
    invitation = await within(ctx, Invitation).objects().where(Invitation.id == invitation_id).first()
    if invitation is None:
        raise errors.InvitationNotFound(path=("input", "id"))
    return invitation


async def resend(tx: Transaction, ctx: TenantContext, invitation_id: UUID) -> Invitation:
    """Send an invitation again, valid for another full period; the link sent
    before stops working."""
    invitation = await _find(ctx, invitation_id)
    if invitation.accepted_at is not None:
        raise errors.InvitationAccepted(path=("input", "id"))
    if invitation.revoked_at is not None:
        raise errors.InvitationNotFound(path=("input", "id"))
    invitation.expires_at = datetime.now(UTC) + INVITATION_LIFETIME
    await (
        within(ctx, Invitation)
        .update({Invitation.expires_at: invitation.expires_at})
        .where(Invitation.id == invitation_id)
    )
    await audit.record_change(tx, ctx, "invitation.resend", "invitation", invitation_id)
    await tx.enqueue(SEND_ACTOR, tenant_id=str(ctx.tenant_id), invitation_id=str(invitation_id))
    return invitation


async def revoke(tx: Transaction, ctx: TenantContext, invitation_id: UUID) -> Invitation:
    """Cancel an invitation: its link stops working."""
    invitation = await _find(ctx, invitation_id)
    if invitation.accepted_at is not None:
        raise errors.InvitationAccepted(path=("input", "id"))
    if invitation.revoked_at is None:
        invitation.revoked_at = datetime.now(UTC)
        await (
            within(ctx, Invitation)
            .update({Invitation.revoked_at: invitation.revoked_at})
            .where(Invitation.id == invitation_id)
        )
        await audit.record_change(tx, ctx, "invitation.revoke", "invitation", invitation_id)
    return invitation


@dataclass(frozen=True)
class Delivery:
    """An invitation's message to send, with the token made for it."""

    full_name: str
    email: str | None
    phone: str | None
    locale: str
    tenant_name: str
    expires_at: datetime
    token: str


async def issue_token(tx: Transaction, ctx: TenantContext, invitation_id: UUID) -> Delivery | None:
    """Make the token of the message about to be sent (the job's transaction);
    None when the invitation is no longer pending."""
    invitation = await within(ctx, Invitation).objects().where(Invitation.id == invitation_id).first()
    if invitation is None or status_of(invitation) is not InvitationStatus.PENDING:
        return None
    token = secrets.token_urlsafe(32)
    await (
        within(ctx, Invitation)
        .update({Invitation.token_hash: token_digest(token), Invitation.sent_at: datetime.now(UTC)})
        .where(Invitation.id == invitation_id)
    )
    await audit.record_change(tx, ctx, "invitation.send", "invitation", invitation_id, **_contact_summary(invitation))
    tenant_name = await tx.connection.fetchval("SELECT name FROM tenants WHERE id = $1", ctx.tenant_id)
    return Delivery(
        full_name=invitation.full_name,
        email=invitation.email,
        phone=invitation.phone,
        locale=invitation.locale,
        tenant_name=tenant_name,
        expires_at=invitation.expires_at,
        token=token,
    )


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation found by its token, before it is accepted."""

    id: UUID
    tenant_id: UUID
    tenant_slug: str
    identifier: str
    """The invitee's email address, or phone number without one."""


async def find_by_token(tx: Transaction, token: str) -> PendingInvitation:
    """The pending invitation with this token (platform transaction)."""
    row = await tx.connection.fetchrow(
        "SELECT i.*, t.slug AS tenant_slug FROM invitations i JOIN tenants t ON t.id = i.tenant_id"
        " WHERE i.token_hash = $1",
        token_digest(token.strip()),
    )
    if row is None:
        raise errors.InvitationNotFound(path=("input", "token"))
    _refuse_unless_pending(_row(row), ("input", "token"))
    return PendingInvitation(
        id=row["id"],
        tenant_id=row["tenant_id"],
        tenant_slug=row["tenant_slug"],
        identifier=row["email"] or row["phone"],
    )


def _row(row: Any) -> Invitation:
    values = dict(row)
    values.pop("tenant_slug", None)
    return Invitation(**values)


@dataclass(frozen=True)
class Acceptance:
    """Who accepted: the account now member of the tenant."""

    user_id: UUID
    full_name: str


async def accept(
    tx: Transaction, ctx: TenantContext, pending: PendingInvitation, token: str, password: str
) -> Acceptance:
    """Accept an invitation (a transaction of its tenant ``with_platform``):
    create the account with ``password``, or check it against the existing
    account with the invitation's email or phone; then make the membership."""
    row = await tx.connection.fetchrow(
        "SELECT * FROM invitations WHERE id = $1 AND tenant_id = $2 AND token_hash = $3 FOR UPDATE",
        pending.id,
        ctx.tenant_id,
        token_digest(token.strip()),
    )
    if row is None:
        raise errors.InvitationNotFound(path=("input", "token"))
    invitation = _row(row)
    _refuse_unless_pending(invitation, ("input", "token"))
    account = await tx.connection.fetchrow(
        "SELECT id, full_name, password_hash, is_active FROM users WHERE email = $1 OR phone = $2"
        " ORDER BY (email = $1) DESC NULLS LAST LIMIT 1",
        invitation.email,
        invitation.phone,
    )
    if account is not None:
        if not account["is_active"] or not verify_password(account["password_hash"], password):
            raise errors.WrongPassword(path=("input", "password"))
        user_id, full_name = account["id"], account["full_name"]
    else:
        user = await tenant_service.create_user(
            tx,
            tenant_service.NewUser(
                full_name=invitation.full_name,
                password=password,
                email=invitation.email,
                phone=invitation.phone,
                locale=invitation.locale,
            ),
        )
        user_id, full_name = user.id, user.full_name
    invitee = replace(ctx, principal=Principal(kind=PrincipalKind.USER, id=user_id, name=full_name))
    await _join(tx, invitee, user_id, Role(invitation.role))
    await (
        within(ctx, Invitation)
        .update({Invitation.accepted_at: datetime.now(UTC), Invitation.accepted_by: user_id})
        .where(Invitation.id == invitation.id)
    )
    await audit.record_change(tx, invitee, "invitation.accept", "invitation", invitation.id)
    return Acceptance(user_id=user_id, full_name=full_name)


async def _join(tx: Transaction, ctx: TenantContext, user_id: UUID, role: Role) -> None:
    """Make ``user_id`` an active member with ``role``: a new membership, or a
    former one reactivated."""
    former = await within(ctx, Membership).objects().where(Membership.user_id == user_id).first()
    if former is None:
        await tenant_service.add_member(tx, ctx, user_id, role)
        return
    if former.is_active:
        raise errors.AlreadyMember(path=("input", "token"))
    await (
        within(ctx, Membership)
        .update({Membership.role: role, Membership.is_active: True})
        .where(Membership.user_id == user_id)
    )
    await audit.record_change(tx, ctx, "membership.reactivate", "user", user_id, role=role.value)
