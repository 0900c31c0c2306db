"""GraphQL mutations to sign in (with a password, an SMS code or an invitation), refresh a session and sign out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

from app.api.context import AppContext
from app.auth import codes, cookies, errors, sessions, throttle
from tenants import errors as tenant_errors
from tenants import invitations
from tenants import service as tenant_service
from tenants.api import Tenant
from tenants.context import SYSTEM, Viewer
from tenants.errors import DomainError
from tenants.mutation_errors import MutationErrors
from tenants.tx import platform_tx, tenant_tx

Info = strawberry.Info[AppContext, None]
T = TypeVar("T")


@strawberry.type(description="A signed-in session's tokens.")
class SessionTokens:
    access_token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer <token>`. Valid 15 minutes; refresh before it expires. "
        "Null when the session is kept in cookies."
    )
    access_token_expires_at: datetime
    refresh_token: str | None = strawberry.field(
        description="Single use: `sessionRefresh` returns a new one. Using one twice ends the session. "
        "Null when the session is kept in cookies."
    )
    refresh_token_expires_at: datetime
    tenant: Tenant = strawberry.field(description="The tenant the session acts in.")


COOKIES_DESCRIPTION = (
    "Browsers: keep the session in HttpOnly, Secure, SameSite cookies instead of returning the tokens; every "
    "later POST must then carry the `socle_csrf` cookie's value in the `X-CSRF-Token` header."
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


SESSION_CREATE_ERRORS = MutationErrors(
    "SessionCreate",
    [
        errors.InvalidCredentials,
        errors.InvalidIdentifier,
        errors.TenantRequired,
        errors.NotAMember,
        errors.TooManyAttempts,
    ],
)
SESSION_REFRESH_ERRORS = MutationErrors("SessionRefresh", [errors.InvalidRefreshToken])
CODE_REQUEST_ERRORS = MutationErrors("SignInCodeRequest", [errors.InvalidIdentifier])
CODE_SESSION_ERRORS = MutationErrors(
    "SessionCreateWithCode", [errors.InvalidCode, errors.InvalidIdentifier, errors.TenantRequired, errors.NotAMember]
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


@strawberry.input(description="Accept an invitation and sign in to its tenant.")
class InvitationAcceptInput:
    token: str = strawberry.field(description="The token in the invitation's link.")
    password: str = strawberry.field(
        description="A new account: the password to set (10 to 128 characters). "
        "An existing account (same email or phone): its current password."
    )
    cookies: bool = strawberry.field(default=False, description=COOKIES_DESCRIPTION)


INVITATION_ACCEPT_ERRORS = MutationErrors(
    "InvitationAccept",
    [
        tenant_errors.InvitationNotFound,
        tenant_errors.InvitationExpired,
        tenant_errors.InvitationAccepted,
        tenant_errors.WrongPassword,
        tenant_errors.WeakPassword,
        tenant_errors.AlreadyMember,
        errors.TooManyAttempts,
    ],
)


if TYPE_CHECKING:  # the error types are built at run time
    InvitationAcceptResult = Any
    SessionCreateResult = Any
    SessionRefreshResult = Any
    SignInCodeRequestResult = Any
    SessionCreateWithCodeResult = Any
else:
    InvitationAcceptResult = Annotated[
        SessionTokens | INVITATION_ACCEPT_ERRORS.type, strawberry.union("InvitationAcceptResult")
    ]
    SignInCodeRequestResult = Annotated[
        SignInCodeRequested | CODE_REQUEST_ERRORS.type, strawberry.union("SignInCodeRequestResult")
    ]
    SessionCreateWithCodeResult = Annotated[
        SessionTokens | CODE_SESSION_ERRORS.type, strawberry.union("SessionCreateWithCodeResult")
    ]
    SessionCreateResult = Annotated[SessionTokens | SESSION_CREATE_ERRORS.type, strawberry.union("SessionCreateResult")]
    SessionRefreshResult = Annotated[
        SessionTokens | SESSION_REFRESH_ERRORS.type, strawberry.union("SessionRefreshResult")
    ]


async def _tokens_view(info: Info, tokens: sessions.Tokens, *, in_cookies: bool) -> SessionTokens:
    async with platform_tx() as tx:
        (tenant,) = await tenant_service.tenants_by_id(tx, [tokens.tenant_id])
    assert tenant is not None
    if in_cookies:
        assert info.context.response is not None
        cookies.set_session_cookies(
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


async def password_attempt(
    viewer: Viewer,
    identifier: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    path: tuple[str, ...],
    refused: str = "session.create_refused",
) -> T:
    """Check a password the way sign-in does: wait as long as the account's and
    the address's failures say (or refuse while locked), then run ``attempt``;
    a refusal is recorded (as the action ``refused``), and a wrong password
    counted, in a transaction of its own, the attempt's having rolled back."""
    try:
        async with platform_tx() as tx:
            delay = await throttle.delay_before_attempt(
                tx, sessions.account_key(identifier), viewer.source_address, path=path
            )
        # Slow guessing down without holding a connection meanwhile.
        await asyncio.sleep(delay)
        return await attempt()
    except DomainError as error:
        async with platform_tx() as tx:
            await sessions.record_failed_sign_in(tx, identifier, error, viewer, refused)
        raise


async def _sign_in(info: Info, data: sessions.Credentials, *, in_cookies: bool) -> SessionTokens:
    ring = await info.context.keys.ring()
    viewer = info.context.viewer

    async def attempt() -> sessions.Tokens:
        async with platform_tx() as tx:
            return await sessions.sign_in(tx, ring, data, viewer)

    tokens = await password_attempt(viewer, data.identifier, attempt, path=("input", "identifier"))
    return await _tokens_view(info, tokens, in_cookies=in_cookies)


async def _refresh(info: Info, refresh_token: str | None) -> SessionTokens:
    in_cookies = refresh_token is None
    if refresh_token is None:
        request = info.context.request
        assert request is not None
        refresh_token = request.cookies.get(cookies.REFRESH_COOKIE, "")
    ring = await info.context.keys.ring()
    async with platform_tx() as tx:
        outcome = await sessions.refresh(tx, ring, refresh_token, info.context.viewer)
    if isinstance(outcome, errors.InvalidRefreshToken):
        raise outcome
    return await _tokens_view(info, outcome, in_cookies=in_cookies)


async def _request_code(info: Info, raw_phone: str) -> SignInCodeRequested:
    # A job sends the SMS: the answer is the same, as fast, with or without an account.
    async with platform_tx() as tx:
        phone = await codes.request_code(tx, info.context.link_secret, raw_phone, info.context.viewer)
    return SignInCodeRequested(phone=phone, expires_in_seconds=int(codes.CODE_LIFETIME.total_seconds()))


async def _sign_in_with_code(info: Info, data: SessionCreateWithCodeInput) -> SessionTokens:
    runtime = info.context.runtime
    ring = await runtime.keys.ring()
    async with platform_tx() as tx:
        outcome = await codes.verify_code(
            tx, info.context.link_secret, ring, data.phone, data.code, data.tenant, info.context.viewer
        )
    if isinstance(outcome, errors.InvalidCode):
        raise outcome
    return await _tokens_view(info, outcome, in_cookies=data.cookies)


async def _accept_invitation(info: Info, data: InvitationAcceptInput) -> SessionTokens:
    ring = await info.context.keys.ring()
    viewer = info.context.viewer
    async with platform_tx() as tx:
        pending = await invitations.find_by_token(tx, data.token)
        context = await tenant_service.context_for(
            tx, SYSTEM, pending.tenant_id, request_id=viewer.request_id, permissions=frozenset()
        )
    context = replace(context, source_address=viewer.source_address)

    async def attempt() -> sessions.Tokens:
        # One transaction: the account, the membership and the session, or nothing.
        async with tenant_tx(context, with_platform=True) as tx:
            accepted = await invitations.accept(tx, context, pending, data.token, data.password)
            return await sessions.open_session(
                tx, ring, accepted.user_id, accepted.full_name, pending.tenant_slug, viewer
            )

    # An existing account's password is checked here: guessing it is slowed down as at sign-in.
    tokens = await password_attempt(viewer, pending.contact.value, attempt, path=("input", "password"))
    return await _tokens_view(info, tokens, in_cookies=data.cookies)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Accept an invitation: sets the password of a new account (or checks an existing "
        "account's), makes the membership and signs in to the tenant."
    )
    async def invitation_accept(self, info: Info, input: InvitationAcceptInput) -> InvitationAcceptResult:  # noqa: A002
        return await INVITATION_ACCEPT_ERRORS.guard(_accept_invitation(info, input))

    @strawberry.mutation(description="Ask for a sign-in code by SMS (members signing in from a phone).")
    async def sign_in_code_request(self, info: Info, input: SignInCodeRequestInput) -> SignInCodeRequestResult:  # noqa: A002
        return await CODE_REQUEST_ERRORS.guard(_request_code(info, input.phone))

    @strawberry.mutation(description="Sign in with a code received by SMS; single use, valid 5 minutes.")
    async def session_create_with_code(
        self,
        info: Info,
        input: SessionCreateWithCodeInput,  # noqa: A002
    ) -> SessionCreateWithCodeResult:
        return await CODE_SESSION_ERRORS.guard(_sign_in_with_code(info, input))

    @strawberry.mutation(description="Sign in with an email or phone number and a password.")
    async def session_create(self, info: Info, input: SessionCreateInput) -> SessionCreateResult:  # noqa: A002
        data = sessions.Credentials(identifier=input.identifier, password=input.password, tenant_slug=input.tenant)
        return await SESSION_CREATE_ERRORS.guard(_sign_in(info, data, in_cookies=input.cookies))

    @strawberry.mutation(description="Exchange a refresh token for new tokens (the old one stops working).")
    async def session_refresh(self, info: Info, input: SessionRefreshInput) -> SessionRefreshResult:  # noqa: A002
        return await SESSION_REFRESH_ERRORS.guard(_refresh(info, input.refresh_token))

    @strawberry.mutation(description="Sign out: ends the caller's session; its tokens stop working at once.")
    async def session_revoke(self, info: Info) -> bool:
        if info.context.response is not None:
            cookies.clear_session_cookies(info.context.response)
        async with platform_tx() as tx:
            return await sessions.sign_out(tx, info.context.viewer)
