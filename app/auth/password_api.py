"""GraphQL mutations for forgotten and changed passwords."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.api.context import AppContext
from app.auth import errors, recovery
from app.auth.api import password_attempt
from tenants import errors as tenant_errors
from tenants.context import PrincipalKind
from tenants.mutation_errors import MutationErrors
from tenants.tx import platform_tx

Info = strawberry.Info[AppContext, None]


@strawberry.input(description="Ask for a link to choose a new password.")
class PasswordResetRequestInput:
    identifier: str = strawberry.field(description="The account's email address, or phone number in E.164.")


@strawberry.type(
    description="A link was sent if the email or phone belongs to an active account (it is not said whether it does)."
)
class PasswordResetRequested:
    expires_in_seconds: int


@strawberry.input(description="Choose a new password with the link's token.")
class PasswordResetInput:
    token: str = strawberry.field(description="The token in the link.")
    password: str = strawberry.field(description="The new password, 10 to 128 characters.")


@strawberry.input(description="Change the signed-in user's password.")
class PasswordChangeInput:
    current_password: str
    new_password: str = strawberry.field(description="10 to 128 characters.")


@strawberry.type(description="The password was changed.")
class PasswordChanged:
    ended_sessions: int = strawberry.field(description="Other sessions of the account that were ended.")


RESET_REQUEST_ERRORS = MutationErrors("PasswordResetRequest", [errors.InvalidIdentifier])
RESET_ERRORS = MutationErrors("PasswordReset", [errors.InvalidResetToken, tenant_errors.WeakPassword])
CHANGE_ERRORS = MutationErrors(
    "PasswordChange", [errors.InvalidCredentials, tenant_errors.WeakPassword, errors.TooManyAttempts]
)

if TYPE_CHECKING:  # the error types are built at run time
    PasswordResetRequestResult = Any
    PasswordResetResult = Any
    PasswordChangeResult = Any
else:
    PasswordResetRequestResult = Annotated[
        PasswordResetRequested | RESET_REQUEST_ERRORS.type, strawberry.union("PasswordResetRequestResult")
    ]
    PasswordResetResult = Annotated[PasswordChanged | RESET_ERRORS.type, strawberry.union("PasswordResetResult")]
    PasswordChangeResult = Annotated[PasswordChanged | CHANGE_ERRORS.type, strawberry.union("PasswordChangeResult")]


async def _request_reset(info: Info, identifier: str) -> PasswordResetRequested:
    async with platform_tx() as tx:
        await recovery.request_reset(tx, identifier, info.context.viewer, info.context.link_secret)
    return PasswordResetRequested(expires_in_seconds=int(recovery.RESET_LIFETIME.total_seconds()))


async def _reset(info: Info, data: PasswordResetInput) -> PasswordChanged:
    async with platform_tx() as tx:
        ended = await recovery.reset_password(tx, data.token, data.password, info.context.viewer)
    return PasswordChanged(ended_sessions=ended)


async def _change(info: Info, data: PasswordChangeInput) -> PasswordChanged:
    viewer = info.context.viewer
    user_id = viewer.principal.id
    if viewer.principal.kind is not PrincipalKind.USER or user_id is None:
        raise tenant_errors.Unauthenticated()

    async def attempt() -> int:
        async with platform_tx() as tx:
            return await recovery.change_password(tx, viewer, user_id, data.current_password, data.new_password)

    # Someone holding an unattended session must not guess the password freely.
    ended = await password_attempt(
        viewer, f"user:{user_id}", attempt, path=("input", "currentPassword"), refused="user.password_change_refused"
    )
    return PasswordChanged(ended_sessions=ended)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Ask for a link, by email or SMS, to choose a new password (valid one hour).")
    async def password_reset_request(
        self,
        info: Info,
        input: PasswordResetRequestInput,  # noqa: A002
    ) -> PasswordResetRequestResult:
        return await RESET_REQUEST_ERRORS.guard(_request_reset(info, input.identifier))

    @strawberry.mutation(
        description="Choose a new password with a reset link's token; every session of the account ends."
    )
    async def password_reset(self, info: Info, input: PasswordResetInput) -> PasswordResetResult:  # noqa: A002
        return await RESET_ERRORS.guard(_reset(info, input))

    @strawberry.mutation(
        description="Change the signed-in user's password; their other sessions end. Requires a signed-in user."
    )
    async def password_change(self, info: Info, input: PasswordChangeInput) -> PasswordChangeResult:  # noqa: A002
        return await CHANGE_ERRORS.guard(_change(info, input))
