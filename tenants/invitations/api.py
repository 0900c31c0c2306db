"""GraphQL of invitations: administrators invite, resend and revoke; the
invitee accepts with the link's token and signs in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import Enum
from uuid import UUID

import strawberry
from strawberry import relay

from tenants.context import SYSTEM
from tenants.errors import InvalidName
from tenants.graphql import Info, decode_id, field, tenant_of
from tenants.identity import errors as identity_errors
from tenants.identity import sessions
from tenants.identity.api import COOKIES_DESCRIPTION, SessionTokens, password_attempt, session_tokens
from tenants.invitations import errors
from tenants.invitations import service as invitation_service
from tenants.invitations.service import InvitationStatus
from tenants.invitations.tables import Invitation as InvitationRow
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.registry import service as tenant_service
from tenants.roles import Role
from tenants.tx import platform_tx, tenant_tx

strawberry.enum(InvitationStatus, description="Where an invitation stands.")


@strawberry.enum(description="A language Socle writes in.")
class Language(Enum):
    FR = "fr"
    EN = "en"


@strawberry.type(description="An invitation to join the tenant with a role.")
class Invitation:
    id: relay.GlobalID = strawberry.field(description="The invitation's global id (type `Invitation`).")
    full_name: str
    email: str | None
    phone: str | None = strawberry.field(description="E.164.")
    role: Role
    language: Language = strawberry.field(description="The language of the message sent.")
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime = strawberry.field(description="The link stops working then; resending renews it.")
    sent_at: datetime | None = strawberry.field(description="When the latest message left; null until then.")
    accepted_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: InvitationRow) -> Invitation:
        """The GraphQL view of an invitation row."""
        return cls(
            id=relay.GlobalID("Invitation", str(row.id)),
            full_name=row.full_name,
            email=row.email,
            phone=row.phone,
            role=Role(row.role),
            language=Language(row.locale),
            status=invitation_service.status_of(row),
            created_at=row.created_at,
            expires_at=row.expires_at,
            sent_at=row.sent_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
        )


@strawberry.input(description="Invite a person by email or by SMS: give one of `email` and `phone`.")
class InvitationCreateInput:
    full_name: str
    role: Role
    email: str | None = strawberry.field(default=None, description="Where to send the link by email.")
    phone: str | None = strawberry.field(default=None, description="Where to send the link by SMS, in E.164 (+221...).")
    language: Language = strawberry.field(default=Language.FR, description="The language to write to them in.")


@strawberry.input(description="Accept an invitation and sign in to its tenant.")
class InvitationAcceptInput:
    token: str = strawberry.field(description="The token in the invitation's link.")
    password: str = strawberry.field(
        description="A new account: the password to set (10 to 128 characters). "
        "An existing account (same email or phone): its current password."
    )
    cookies: bool = strawberry.field(default=False, description=COOKIES_DESCRIPTION)


def _invitation_id(id: relay.GlobalID) -> UUID:  # noqa: A002
    found = decode_id(id, "Invitation")
    if found is None:
        raise errors.InvitationNotFound(path=("input", "id"))
    return found


@strawberry.type
class Query:
    @field(
        "The tenant's invitations, newest first. Requires `users:read`; `first` is at most 100.",
        permission=Permission.USERS_READ,
    )
    async def invitations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Invitation]:
        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (datetime, UUID),
            rows=invitation_service.list_invitations,
            count=invitation_service.count_invitations,
            node=Invitation.from_row,
            key=lambda row: (row.created_at, row.id),
        )


@strawberry.type
class Mutation:
    @mutation(
        "Invite a person to join the tenant with a role; the link is sent to them, valid 7 days. "
        "Inviting the same email or phone again replaces the open invitation. Requires `users:manage`.",
        errors=[
            InvalidName,
            errors.InvalidEmail,
            errors.InvalidPhone,
            errors.ContactRequired,
            identity_errors.RoleNotInTenant,
            errors.AlreadyMember,
        ],
        permission=Permission.USERS_MANAGE,
    )
    async def invitation_create(self, info: Info, input: InvitationCreateInput) -> Invitation:  # noqa: A002
        context = tenant_of(info)
        data = invitation_service.NewInvitation(
            full_name=input.full_name,
            role=Role(input.role),
            email=input.email,
            phone=input.phone,
            locale=input.language.value,
        )
        async with tenant_tx(context) as tx:
            row = await invitation_service.invite(tx, context, data, info.context.link_secret)
        return Invitation.from_row(row)

    @mutation(
        "Send an invitation again, valid another 7 days; the link sent before stops working. Requires `users:manage`.",
        errors=[errors.InvitationNotFound, errors.InvitationAccepted],
        permission=Permission.USERS_MANAGE,
    )
    async def invitation_resend(self, info: Info, id: relay.GlobalID) -> Invitation:  # noqa: A002
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            row = await invitation_service.resend(tx, context, _invitation_id(id), info.context.link_secret)
        return Invitation.from_row(row)

    @mutation(
        "Cancel an invitation: its link stops working. Requires `users:manage`.",
        errors=[errors.InvitationNotFound, errors.InvitationAccepted],
        permission=Permission.USERS_MANAGE,
    )
    async def invitation_revoke(self, info: Info, id: relay.GlobalID) -> Invitation:  # noqa: A002
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            row = await invitation_service.revoke(tx, context, _invitation_id(id))
        return Invitation.from_row(row)

    @mutation(
        "Accept an invitation: sets the password of a new account (or checks an existing account's), makes the "
        "membership and signs in to the tenant.",
        errors=[
            errors.InvitationNotFound,
            errors.InvitationExpired,
            errors.InvitationAccepted,
            identity_errors.WrongPassword,
            identity_errors.WeakPassword,
            errors.AlreadyMember,
            identity_errors.TooManyAttempts,
        ],
    )
    async def invitation_accept(self, info: Info, input: InvitationAcceptInput) -> SessionTokens:  # noqa: A002
        ring = await info.context.keys.ring()
        viewer = info.context.viewer
        async with platform_tx() as tx:
            pending = await invitation_service.find_by_token(tx, input.token)
            context = await tenant_service.context_for(
                tx, SYSTEM, pending.tenant_id, request_id=viewer.request_id, permissions=frozenset()
            )
        context = replace(context, source_address=viewer.source_address)

        async def attempt() -> sessions.Tokens:
            # One transaction: the account, the membership and the session, or nothing.
            async with tenant_tx(context, with_platform=True) as tx:
                accepted = await invitation_service.accept(tx, context, pending, input.token, input.password)
                return await sessions.open_session(
                    tx, ring, accepted.user_id, accepted.full_name, pending.tenant_slug, viewer
                )

        # An existing account's password is checked here: guessing it is slowed down as at sign-in.
        tokens = await password_attempt(viewer, pending.contact.value, attempt, path=("input", "password"))
        return await session_tokens(info, tokens, in_cookies=input.cookies)
