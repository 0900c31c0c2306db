"""GraphQL of identity: signing in (password, SMS code), refreshing and
ending sessions, forgotten and changed passwords, and the tenant's users as
administrators see them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

import strawberry
from strawberry import relay

from tenants.context import PrincipalKind, Viewer
from tenants.errors import DomainError, Unauthenticated
from tenants.graphql import Info, decode_id, field, tenant_of
from tenants.identity import codes, errors, http, recovery, sessions, throttle
from tenants.identity import service as identity_service
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.registry import service as tenant_service
from tenants.registry.api import Tenant
from tenants.roles import Role
from tenants.tx import Transaction, platform_tx, tenant_tx

T = TypeVar("T")

COOKIES_DESCRIPTION = (
    "Browsers: keep the session in HttpOnly, Secure, SameSite cookies instead of returning the tokens "
    f"(`{http.ACCESS_COOKIE}` and `{http.REFRESH_COOKIE}`); every later POST, "
    f"`sessionRefresh` included, must then carry the value of the readable `{http.CSRF_COOKIE}` cookie in the "
    "`X-CSRF-Token` header (403 otherwise)."
)


@strawberry.type(description="A signed-in session's tokens.")
class SessionTokens:
    access_token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer <token>`. Valid 15 minutes; refresh before it expires. "
        "Null when the session is kept in cookies."
    )
    access_token_expires_at: datetime
    refresh_token: str | None = strawberry.field(
        description="Single use: `sessionRefresh` returns a new one. Presented again within 10 seconds (another "
        "tab, a retry) it gets that same new one; later, or once the new one was used, it ends the session. "
        "Null when the session is kept in cookies."
    )
    refresh_token_expires_at: datetime
    tenant: Tenant = strawberry.field(description="The tenant the session acts in.")


async def session_tokens(info: Info, tokens: sessions.Tokens, *, in_cookies: bool) -> SessionTokens:
    """The GraphQL view of a new session's tokens; in cookies for a browser."""
    async with platform_tx() as tx:
        (tenant,) = await tenant_service.tenants_by_id(tx, [tokens.tenant_id])
    assert tenant is not None
    if in_cookies:
        assert info.context.response is not None
        http.set_session_cookies(
            info.context.response,
            tokens.access_token,
            tokens.access_token_expires_at,
            tokens.refresh_token,
            tokens.refresh_token_expires_at,
        )
    return SessionTokens(
        access_token=None if in_cookies else tokens.access_token,
        access_token_expires_at=tokens.access_token_expires_at,
        refresh_token=None if in_cookies else tokens.refresh_token,
        refresh_token_expires_at=tokens.refresh_token_expires_at,
        tenant=Tenant.from_row(tenant),
    )


async def throttled(
    attempt_keys: list[throttle.Key],
    attempt: Callable[[], Awaitable[T]],
    refused: Callable[[Transaction, DomainError], Awaitable[None]],
    *,
    path: tuple[str, ...],
    wrong: tuple[type[DomainError], ...],
) -> T:
    """Run ``attempt`` (a password or code check) once it is counted against
    ``attempt_keys``, after the wait they impose; refused while one is locked
    (``TooManyAttempts`` naming the input at ``path``). A refusal is recorded by
    ``refused``; one of the ``wrong`` kind keeps its count, any other gives it
    back, and a success clears the subject's."""
    async with platform_tx() as tx:
        reservation = await throttle.reserve(tx, attempt_keys)
        locked = None
        if reservation.locked_minutes is not None:
            locked = errors.TooManyAttempts(path=path, minutes=reservation.locked_minutes)
            await refused(tx, locked)
    if locked is not None:
        raise locked
    # Slow guessing down without holding a connection meanwhile.
    await asyncio.sleep(reservation.delay)
    try:
        outcome = await attempt()
    except DomainError as error:
        async with platform_tx() as tx:
            if not isinstance(error, wrong):
                await throttle.give_back(tx, reservation)
            await refused(tx, error)
        raise
    async with platform_tx() as tx:
        await throttle.succeeded(tx, reservation)
    return outcome


async def password_attempt(
    viewer: Viewer,
    identifier: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    path: tuple[str, ...],
    refused: str = "session.create_refused",
) -> T:
    """Check a password the way sign-in does: counted against the account
    and the address before ``attempt`` runs, slowed down, then locked (see
    :func:`throttled`); a refusal is recorded as the action ``refused``."""

    async def record(tx: Transaction, error: DomainError) -> None:
        await sessions.record_refusal(tx, error, viewer, refused, identifier=identifier.strip()[:254])

    return await throttled(
        throttle.password_keys(sessions.account_key(identifier), viewer.source_address),
        attempt,
        record,
        path=path,
        wrong=sessions.WRONG_PASSWORD,
    )


@strawberry.input(description="Sign in with a password.")
class SessionCreateInput:
    identifier: str = strawberry.field(description="Email address, or phone number in E.164 (+221...).")
    password: str
    tenant: str | None = strawberry.field(
        default=None, description="Slug of the tenant to sign in to; required when the user belongs to several."
    )
    cookies: bool = strawberry.field(default=False, description=COOKIES_DESCRIPTION)


@strawberry.input(description="Exchange a refresh token for new tokens.")
class SessionRefreshInput:
    refresh_token: str | None = strawberry.field(
        default=None, description="The refresh token; omit it in a browser, which sends its session cookie."
    )


@strawberry.type(description="A code was sent if the number belongs to an account (it is not said whether it does).")
class SignInCodeRequested:
    phone: str = strawberry.field(description="The number, in E.164.")
    expires_in_seconds: int


@strawberry.input(description="Ask for a sign-in code by SMS.")
class SignInCodeRequestInput:
    phone: str = strawberry.field(description="Phone number in E.164 (+221...).")


@strawberry.input(description="Sign in with the code received by SMS.")
class SessionCreateWithCodeInput:
    phone: str
    code: str
    tenant: str | None = strawberry.field(default=None, description="Slug of the tenant, if several.")
    cookies: bool = strawberry.field(default=False, description=COOKIES_DESCRIPTION)


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


@strawberry.type(description="A user of the tenant and their role in it.")
class TenantUser:
    id: relay.GlobalID = strawberry.field(description="The user's global id (type `User`).")
    full_name: str
    email: str | None
    phone: str | None = strawberry.field(description="E.164.")
    role: Role
    is_active: bool = strawberry.field(description="False once deactivated: the user cannot act in this tenant.")

    @classmethod
    def from_user(cls, user: identity_service.TenantUser) -> TenantUser:
        """The GraphQL view of a tenant's user."""
        return cls(
            id=relay.GlobalID("User", str(user.user_id)),
            full_name=user.full_name,
            email=user.email,
            phone=user.phone,
            role=user.role,
            is_active=user.is_active,
        )


@strawberry.input(description="Give a user another role in the tenant.")
class UserRoleChangeInput:
    user: relay.GlobalID
    role: Role


def _user_id(id: relay.GlobalID) -> UUID:  # noqa: A002
    found = decode_id(id, "User")
    if found is None:
        raise errors.UserNotFound(path=("input", "user"))
    return found


@strawberry.type
class Query:
    @field(
        "The tenant's users, by name. Requires `users:read`; `first` is at most 100.",
        permission=Permission.USERS_READ,
    )
    async def users(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[TenantUser]:
        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (str, UUID),
            rows=identity_service.list_users,
            count=identity_service.count_users,
            node=TenantUser.from_user,
            key=lambda user: (user.full_name, user.user_id),
        )


@strawberry.type
class Mutation:
    @mutation(
        "Sign in with an email or phone number and a password.",
        errors=[
            errors.InvalidCredentials,
            errors.InvalidIdentifier,
            errors.TenantRequired,
            errors.NotAMember,
            errors.TooManyAttempts,
        ],
    )
    async def session_create(self, info: Info, input: SessionCreateInput) -> SessionTokens:  # noqa: A002
        data = sessions.Credentials(identifier=input.identifier, password=input.password, tenant_slug=input.tenant)
        ring = await info.context.keys.ring()
        viewer = info.context.viewer

        async def attempt() -> sessions.Tokens:
            async with platform_tx() as tx:
                found = await sessions.account_to_check(tx, data.identifier)
            # Checked outside any transaction: no connection waits on the hash.
            account = await sessions.check_password(found, data.password)
            async with platform_tx() as tx:
                return await sessions.sign_in(tx, ring, account, data.tenant_slug, viewer)

        tokens = await password_attempt(viewer, data.identifier, attempt, path=("input", "identifier"))
        return await session_tokens(info, tokens, in_cookies=input.cookies)

    @mutation(
        "Exchange a refresh token for new tokens (the old one stops working).",
        errors=[errors.InvalidRefreshToken],
    )
    async def session_refresh(self, info: Info, input: SessionRefreshInput) -> SessionTokens:  # noqa: A002
        refresh_token = input.refresh_token
        in_cookies = refresh_token is None
        if refresh_token is None:
            request = info.context.request
            assert request is not None
            # The cookie reached here with the CSRF token: http.resolve_viewer refuses it otherwise.
            refresh_token = request.cookies.get(http.REFRESH_COOKIE, "")
        ring = await info.context.keys.ring()
        async with platform_tx() as tx:
            outcome = await sessions.refresh(tx, ring, refresh_token, info.context.viewer)
        if isinstance(outcome, errors.InvalidRefreshToken):
            raise outcome
        return await session_tokens(info, outcome, in_cookies=in_cookies)

    @mutation("Sign out: ends the caller's session; its tokens stop working at once.", errors=None)
    async def session_revoke(self, info: Info) -> bool:
        if info.context.response is not None:
            http.clear_session_cookies(info.context.response)
        async with platform_tx() as tx:
            return await sessions.sign_out(tx, info.context.viewer)

    @mutation(
        "Ask for a sign-in code by SMS (members signing in from a phone); at most 10 an hour per number and "
        "50 per address.",
        errors=[errors.InvalidIdentifier, errors.TooManyRequests],
    )
    async def sign_in_code_request(self, info: Info, input: SignInCodeRequestInput) -> SignInCodeRequested:  # noqa: A002
        # A job makes and sends the code: the answer is the same, as fast, with or without an account.
        async with platform_tx() as tx:
            phone = await codes.request_code(tx, input.phone, info.context.viewer)
        return SignInCodeRequested(phone=phone, expires_in_seconds=int(codes.CODE_LIFETIME.total_seconds()))

    @mutation(
        "Sign in with a code received by SMS; single use, valid 5 minutes. Wrong codes for one number are "
        "slowed down, then refused for an hour.",
        errors=[
            errors.InvalidCode,
            errors.InvalidIdentifier,
            errors.TenantRequired,
            errors.NotAMember,
            errors.TooManyAttempts,
        ],
    )
    async def session_create_with_code(self, info: Info, input: SessionCreateWithCodeInput) -> SessionTokens:  # noqa: A002
        ring = await info.context.keys.ring()
        viewer = info.context.viewer
        secret = info.context.link_secret
        phone = codes.phone_of(input.phone)

        async def attempt() -> sessions.Tokens:
            async with platform_tx() as tx:
                outcome = await codes.verify_code(tx, secret, ring, phone, input.code, input.tenant, viewer)
            if isinstance(outcome, errors.InvalidCode):
                raise outcome
            return outcome

        async def record(tx: Transaction, error: DomainError) -> None:
            # A wrong code is recorded by the transaction that counted it on the code.
            if not isinstance(error, errors.InvalidCode):
                await sessions.record_refusal(tx, error, viewer, phone=phone)

        tokens = await throttled(
            codes.attempt_keys(phone, viewer.source_address),
            attempt,
            record,
            path=("input", "phone"),
            wrong=(errors.InvalidCode,),
        )
        return await session_tokens(info, tokens, in_cookies=input.cookies)

    @mutation(
        "Ask for a link, by email or SMS, to choose a new password (valid one hour); at most 10 requests an hour "
        "per email or phone and 50 per address.",
        errors=[errors.InvalidIdentifier, errors.TooManyRequests],
    )
    async def password_reset_request(self, info: Info, input: PasswordResetRequestInput) -> PasswordResetRequested:  # noqa: A002
        async with platform_tx() as tx:
            await recovery.request_reset(tx, input.identifier, info.context.viewer)
        return PasswordResetRequested(expires_in_seconds=int(recovery.RESET_LIFETIME.total_seconds()))

    @mutation(
        "Choose a new password with a reset link's token; every session of the account ends.",
        errors=[errors.InvalidResetToken, errors.WeakPassword],
    )
    async def password_reset(self, info: Info, input: PasswordResetInput) -> PasswordChanged:  # noqa: A002
        async with platform_tx() as tx:
            await recovery.check_reset_token(tx, input.token)
        password_hash = await recovery.new_password_hash(input.password)
        async with platform_tx() as tx:
            ended = await recovery.reset_password(tx, input.token, password_hash, info.context.viewer)
        return PasswordChanged(ended_sessions=ended)

    @mutation(
        "Change the signed-in user's password; their other sessions end. Requires a signed-in user.",
        errors=[errors.InvalidCredentials, errors.WeakPassword, errors.TooManyAttempts],
    )
    async def password_change(self, info: Info, input: PasswordChangeInput) -> PasswordChanged:  # noqa: A002
        viewer = info.context.viewer
        user_id = viewer.principal.id
        if viewer.principal.kind is not PrincipalKind.USER or user_id is None:
            raise Unauthenticated()

        async def attempt() -> int:
            async with platform_tx() as tx:
                current_hash = await recovery.password_hash_of(tx, user_id)
            new_hash = await recovery.check_password_change(current_hash, input.current_password, input.new_password)
            async with platform_tx() as tx:
                return await recovery.change_password(tx, viewer, user_id, current_hash, new_hash)

        # Someone holding an unattended session must not guess the password freely.
        ended = await password_attempt(
            viewer,
            f"user:{user_id}",
            attempt,
            path=("input", "currentPassword"),
            refused="user.password_change_refused",
        )
        return PasswordChanged(ended_sessions=ended)

    @mutation(
        "Change a user's role; the tenant keeps at least one active administrator. Requires `users:manage`.",
        errors=[errors.UserNotFound, errors.RoleNotInTenant, errors.LastAdministrator],
        permission=Permission.USERS_MANAGE,
    )
    async def user_role_change(self, info: Info, input: UserRoleChangeInput) -> TenantUser:  # noqa: A002
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            user = await identity_service.change_role(tx, context, _user_id(input.user), Role(input.role))
        return TenantUser.from_user(user)

    @mutation(
        "Deactivate a user in the tenant: their tokens stop working at once. Requires `users:manage`.",
        errors=[errors.UserNotFound, errors.LastAdministrator],
        permission=Permission.USERS_MANAGE,
    )
    async def user_deactivate(self, info: Info, user: relay.GlobalID) -> TenantUser:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            found = await identity_service.deactivate(tx, context, _user_id(user))
        return TenantUser.from_user(found)
