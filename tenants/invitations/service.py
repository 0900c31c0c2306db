"""Invitations: a tenant's administrator invites a person, by email or by SMS,
to join with a role. The message carries a link with a token; the person
accepts by choosing a password (new account) or by giving theirs (the
existing account with that email or phone), and the account and the
membership are made together.

An invitation has one contact, the one its token proves: accepting it never
gives an account an address or number nobody received the link at.

The token is an HMAC of the invitation and of how many times it was sent,
under Socle's secret key: the sending job derives the same token as the
request that asked for it, so it sits in no table or queue, a retried job
sends the same link, and sending again (which counts one more) kills the
previous link at once. The invitation keeps the token's SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.errors import InvalidName
from tenants.identity import errors as identity_errors
from tenants.identity import opaque_tokens
from tenants.identity import service as identity_service
from tenants.identity.contacts import e164, email_address
from tenants.identity.passwords import verify_password
from tenants.invitations import errors
from tenants.invitations.tables import Invitation
from tenants.roles import Role, role_fits_tenant
from tenants.scoping import within
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


def link_token(secret: str, invitation_id: UUID, send_count: int) -> str:
    """The token in the link of the ``send_count``-th message of an invitation."""
    return opaque_tokens.derive(secret, "invitation", invitation_id, send_count)


@dataclass(frozen=True)
class NewInvitation:
    """Who to invite (an email address or a phone number), with which role,
    and in which language to write to them."""

    full_name: str
    role: Role
    email: str | None = None
    phone: str | None = None
    locale: str = "fr"


@dataclass(frozen=True)
class Contact:
    """The one way an invitation reaches its invitee."""

    column: str
    """``email`` or ``phone``: the ``users`` and ``invitations`` column."""
    value: str


def _contact(data: NewInvitation) -> Contact:
    email = data.email.strip() if data.email else ""
    phone = data.phone.strip() if data.phone else ""
    if bool(email) == bool(phone):
        raise errors.ContactRequired(path=("input", "email"))
    if email:
        address = email_address(email)
        if address is None:
            raise errors.InvalidEmail(path=("input", "email"))
        return Contact("email", address)
    number = e164(phone)
    if number is None:
        raise errors.InvalidPhone(path=("input", "phone"))
    return Contact("phone", number)


def contact_of(invitation: Invitation) -> Contact:
    """The contact an invitation was sent to."""
    return Contact("email", invitation.email) if invitation.email else Contact("phone", invitation.phone)


async def _lock_contact(tx: Transaction, scope: str, contact: Contact) -> None:
    await identity_service.lock_contact(tx, scope, contact.column, contact.value)


async def _is_active_member(tx: Transaction, ctx: TenantContext, contact: Contact) -> bool:
    found = await tx.fetchval(
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id"
        f" WHERE m.tenant_id = $1 AND m.is_active AND u.{contact.column} = $2)",  # column: email or phone
        ctx.tenant_id,
        contact.value,
    )
    return bool(found)


async def invite(tx: Transaction, ctx: TenantContext, data: NewInvitation, secret: str) -> Invitation:
    """Invite a person to the context's tenant and queue the message. An open
    invitation to the same contact is replaced."""
    full_name = data.full_name.strip()
    if not 2 <= len(full_name) <= 200:
        raise InvalidName(path=("input", "fullName"))
    if not role_fits_tenant(data.role, ctx.tenant_kind):
        raise identity_errors.RoleNotInTenant(path=("input", "role"), role=data.role.value)
    contact = _contact(data)
    await _lock_contact(tx, f"invitation:{ctx.tenant_id}", contact)
    if await _is_active_member(tx, ctx, contact):
        raise errors.AlreadyMember(path=("input", contact.column))
    now = datetime.now(UTC)
    invitations = within(ctx, Invitation)
    replaced = await invitations.select(Invitation.id).where(
        Invitation.accepted_at.is_null()
        & Invitation.revoked_at.is_null()
        & (getattr(Invitation, contact.column) == contact.value)
    )
    for old in replaced:
        await invitations.update({Invitation.revoked_at: now}).where(
            (Invitation.id == old["id"]) & Invitation.accepted_at.is_null() & Invitation.revoked_at.is_null()
        )
        await audit.record_change(tx, ctx, "invitation.revoke", "invitation", old["id"], reason="replaced")
    invitation = invitations.new(
        full_name=full_name,
        role=data.role,
        locale=data.locale,
        invited_by=ctx.principal.id if ctx.principal.kind is PrincipalKind.USER else None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        send_count=1,
        **{contact.column: contact.value},
    )
    invitation.token_hash = opaque_tokens.digest(link_token(secret, invitation.id, 1))
    await invitations.insert(invitation)
    await audit.record_change(
        tx,
        ctx,
        "invitation.create",
        "invitation",
        invitation.id,
        role=data.role.value,
        **{contact.column: contact.value},
    )
    await tx.enqueue(SEND_ACTOR, tenant_id=str(ctx.tenant_id), invitation_id=str(invitation.id))
    return invitation


async def list_invitations(
    tx: Transaction, ctx: TenantContext, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[Invitation]:
    """Up to ``limit`` of the tenant's invitations, newest first, after the
    one made at ``after`` (keyset pagination on time and id)."""
    query = within(ctx, Invitation).objects().order_by(Invitation.created_at, Invitation.id, ascending=False)
    if after is not None:
        created_at, invitation_id = after
        query = query.where(
            (Invitation.created_at < created_at)
            | ((Invitation.created_at == created_at) & (Invitation.id < invitation_id))
        )
    return await query.limit(limit)


async def count_invitations(tx: Transaction, ctx: TenantContext) -> int:
    """How many invitations the tenant has made, in any state."""
    count: int = await within(ctx, Invitation).count()
    return count


async def _find(ctx: TenantContext, invitation_id: UUID) -> Invitation:
    invitation = await within(ctx, Invitation).objects().where(Invitation.id == invitation_id).first()
    if invitation is None:
        raise errors.InvitationNotFound(path=("input", "id"))
    return invitation


async def resend(tx: Transaction, ctx: TenantContext, invitation_id: UUID, secret: str) -> Invitation:
    """Send an invitation again, valid for another full period; the link sent
    before stops working at once."""
    invitation = await _find(ctx, invitation_id)
    if invitation.accepted_at is not None:
        raise errors.InvitationAccepted(path=("input", "id"))
    if invitation.revoked_at is not None:
        raise errors.InvitationNotFound(path=("input", "id"))
    invitation.expires_at = datetime.now(UTC) + INVITATION_LIFETIME
    invitation.send_count += 1
    invitation.token_hash = opaque_tokens.digest(link_token(secret, invitation.id, invitation.send_count))
    await (
        within(ctx, Invitation)
        .update(
            {
                Invitation.expires_at: invitation.expires_at,
                Invitation.send_count: invitation.send_count,
                Invitation.token_hash: invitation.token_hash,
            }
        )
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

    contact: Contact
    locale: str
    tenant_name: str
    expires_at: datetime
    token: str


async def delivery(tx: Transaction, ctx: TenantContext, invitation_id: UUID, secret: str) -> Delivery | None:
    """The message to send for an invitation, with its link's current token
    (the job's transaction); None when the invitation is no longer pending.
    Once the message has left, :func:`mark_sent` records it."""
    invitation = await within(ctx, Invitation).objects().where(Invitation.id == invitation_id).first()
    if invitation is None or status_of(invitation) is not InvitationStatus.PENDING:
        return None
    contact = contact_of(invitation)
    token = link_token(secret, invitation.id, invitation.send_count)
    if invitation.token_hash is None:
        # Made before links derived from the send count: its link is stored now.
        await (
            within(ctx, Invitation)
            .update({Invitation.token_hash: opaque_tokens.digest(token)})
            .where(Invitation.id == invitation_id)
        )
        await audit.record_change(tx, ctx, "invitation.link_stored", "invitation", invitation_id)
    tenant_name = await tx.fetchval("SELECT name FROM tenants WHERE id = $1", ctx.tenant_id)
    return Delivery(
        contact=contact,
        locale=invitation.locale,
        tenant_name=tenant_name,
        expires_at=invitation.expires_at,
        token=token,
    )


async def mark_sent(tx: Transaction, ctx: TenantContext, invitation_id: UUID, contact: Contact) -> None:
    """Record that an invitation's message left (the job's transaction, after
    the send): a duplicate delivery that sent nothing records nothing."""
    await within(ctx, Invitation).update({Invitation.sent_at: datetime.now(UTC)}).where(Invitation.id == invitation_id)
    await audit.record_change(
        tx, ctx, "invitation.send", "invitation", invitation_id, **{contact.column: contact.value}
    )


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation found by its token, before it is accepted."""

    id: UUID
    tenant_id: UUID
    tenant_slug: str
    contact: Contact


async def find_by_token(tx: Transaction, token: str) -> PendingInvitation:
    """The pending invitation with this token (platform transaction); a
    withdrawn tenant's invitations are gone."""
    row = await tx.fetchrow(
        "SELECT i.*, t.slug AS tenant_slug FROM invitations i JOIN tenants t ON t.id = i.tenant_id"
        " WHERE i.token_hash = $1 AND t.status <> 'withdrawn'",
        opaque_tokens.digest(token),
        across_tenants=True,  # the token is all the invitee has: its tenant follows from it
    )
    if row is None:
        raise errors.InvitationNotFound(path=("input", "token"))
    invitation = _row(row)
    _refuse_unless_pending(invitation, ("input", "token"))
    return PendingInvitation(
        id=invitation.id, tenant_id=invitation.tenant_id, tenant_slug=row["tenant_slug"], contact=contact_of(invitation)
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
    # The same lock as invite(): an invitation is not replaced while it is being accepted.
    await _lock_contact(tx, f"invitation:{ctx.tenant_id}", pending.contact)
    row = await tx.fetchrow(
        "SELECT * FROM invitations WHERE id = $1 AND tenant_id = $2 AND token_hash = $3 FOR UPDATE",
        pending.id,
        ctx.tenant_id,
        opaque_tokens.digest(token),
    )
    if row is None:
        raise errors.InvitationNotFound(path=("input", "token"))
    invitation = _row(row)
    _refuse_unless_pending(invitation, ("input", "token"))
    contact = contact_of(invitation)
    # Two invitations to one new contact, accepted together, make one account.
    await _lock_contact(tx, "account", contact)
    account = await tx.fetchrow(
        "SELECT id, full_name, password_hash, is_active FROM users"
        f" WHERE {contact.column} = $1",  # column: email or phone
        contact.value,
    )
    if account is not None:
        if not account["is_active"] or not await verify_password(account["password_hash"], password):
            raise identity_errors.WrongPassword(path=("input", "password"))
        user_id, full_name = account["id"], account["full_name"]
    else:
        user = await identity_service.create_user(
            tx,
            identity_service.NewUser(
                full_name=invitation.full_name,
                password=password,
                locale=invitation.locale,
                **{contact.column: contact.value},
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
    former = await identity_service.membership_of(tx, ctx, user_id)
    if former is not None and former.is_active:
        raise errors.AlreadyMember(path=("input", "token"))
    await identity_service.join(tx, ctx, user_id, role, former)
