"""GraphQL type, query and mutations of invitations, on the administrators'
side (accepting one is a sign-in: ``app.auth.api``)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry import relay

from tenants import errors, invitations
from tenants.api import Role
from tenants.graphql import Info, decode_id, requires, tenant_of
from tenants.mutation_errors import MutationErrors
from tenants.permissions import Permission
from tenants.roles import Role as RoleValue
from tenants.tables import Invitation as InvitationRow
from tenants.tx import tenant_tx

InvitationStatus = strawberry.enum(invitations.InvitationStatus, description="Where an invitation stands.")


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
            role=RoleValue(row.role),
            language=Language(row.locale),
            status=invitations.status_of(row),
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


CREATE_ERRORS = MutationErrors(
    "InvitationCreate",
    [
        errors.InvalidName,
        errors.InvalidEmail,
        errors.InvalidPhone,
        errors.ContactRequired,
        errors.RoleNotInTenant,
        errors.AlreadyMember,
    ],
)
RESEND_ERRORS = MutationErrors("InvitationResend", [errors.InvitationNotFound, errors.InvitationAccepted])
REVOKE_ERRORS = MutationErrors("InvitationRevoke", [errors.InvitationNotFound, errors.InvitationAccepted])

if TYPE_CHECKING:  # the error types are built at run time
    InvitationCreateResult = Any
    InvitationResendResult = Any
    InvitationRevokeResult = Any
else:
    InvitationCreateResult = Annotated[Invitation | CREATE_ERRORS.type, strawberry.union("InvitationCreateResult")]
    InvitationResendResult = Annotated[Invitation | RESEND_ERRORS.type, strawberry.union("InvitationResendResult")]
    InvitationRevokeResult = Annotated[Invitation | REVOKE_ERRORS.type, strawberry.union("InvitationRevokeResult")]


def _invitation_id(id: relay.GlobalID) -> UUID:  # noqa: A002
    found = decode_id(id, "Invitation")
    if found is None:
        raise errors.InvitationNotFound(path=("input", "id"))
    return found


@strawberry.type
class Query:
    @strawberry.field(
        description="The tenant's invitations, newest first (at most 100). Requires `users:read`.",
        extensions=[requires(Permission.USERS_READ)],
    )
    async def invitations(self, info: Info) -> list[Invitation]:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            rows = await invitations.list_invitations(tx, context)
        return [Invitation.from_row(row) for row in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Invite a person to join the tenant with a role; the link is sent to them, valid 7 days. "
        "Inviting the same email or phone again replaces the open invitation. Requires `users:manage`.",
        extensions=[requires(Permission.USERS_MANAGE)],
    )
    async def invitation_create(self, info: Info, input: InvitationCreateInput) -> InvitationCreateResult:  # noqa: A002
        context = tenant_of(info)
        data = invitations.NewInvitation(
            full_name=input.full_name,
            role=RoleValue(input.role),
            email=input.email,
            phone=input.phone,
            locale=input.language.value,
        )

        async def run() -> Invitation:
            async with tenant_tx(context) as tx:
                row = await invitations.invite(tx, context, data, info.context.link_secret)
            return Invitation.from_row(row)

        return await CREATE_ERRORS.guard(run())

    @strawberry.mutation(
        description="Send an invitation again, valid another 7 days; the link sent before stops working. "
        "Requires `users:manage`.",
        extensions=[requires(Permission.USERS_MANAGE)],
    )
    async def invitation_resend(self, info: Info, id: relay.GlobalID) -> InvitationResendResult:  # noqa: A002
        context = tenant_of(info)

        async def run() -> Invitation:
            async with tenant_tx(context) as tx:
                row = await invitations.resend(tx, context, _invitation_id(id), info.context.link_secret)
            return Invitation.from_row(row)

        return await RESEND_ERRORS.guard(run())

    @strawberry.mutation(
        description="Cancel an invitation: its link stops working. Requires `users:manage`.",
        extensions=[requires(Permission.USERS_MANAGE)],
    )
    async def invitation_revoke(self, info: Info, id: relay.GlobalID) -> InvitationRevokeResult:  # noqa: A002
        context = tenant_of(info)

        async def run() -> Invitation:
            async with tenant_tx(context) as tx:
                row = await invitations.revoke(tx, context, _invitation_id(id))
            return Invitation.from_row(row)

        return await REVOKE_ERRORS.guard(run())
