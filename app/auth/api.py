"""GraphQL mutations to sign in, refresh a session and sign out."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.api.context import AppContext
from app.auth import errors, sessions, throttle
from tenants import service as tenant_service
from tenants.api import Tenant
from tenants.mutation_errors import MutationErrors
from tenants.tx import platform_tx

Info = strawberry.Info[AppContext, None]


@strawberry.type(description="A signed-in session's tokens.")
class SessionTokens:
    access_token: str = strawberry.field(
        description="Send as `Authorization: Bearer <token>`. Valid 15 minutes; refresh before it expires."
    )
    access_token_expires_at: datetime
    refresh_token: str = strawberry.field(
        description="Single use: `sessionRefresh` returns a new one. Using one twice ends the session."
    )
    refresh_token_expires_at: datetime
    tenant: Tenant = strawberry.field(description="The tenant the session acts in.")


@strawberry.input(description="Sign in with a password.")
class SessionCreateInput:
    identifier: str = strawberry.field(description="Email address, or phone number in E.164 (+221...).")
    password: str
    tenant: str | None = strawberry.field(
        default=None, description="Slug of the tenant to sign in to; required when the user belongs to several."
    )


@strawberry.input(description="Exchange a refresh token for new tokens.")
class SessionRefreshInput:
    refresh_token: str


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

if TYPE_CHECKING:  # the error types are built at run time
    SessionCreateResult = Any
    SessionRefreshResult = Any
else:
    SessionCreateResult = Annotated[SessionTokens | SESSION_CREATE_ERRORS.type, strawberry.union("SessionCreateResult")]
    SessionRefreshResult = Annotated[
        SessionTokens | SESSION_REFRESH_ERRORS.type, strawberry.union("SessionRefreshResult")
    ]


async def _tokens_view(tokens: sessions.Tokens) -> SessionTokens:
    async with platform_tx() as tx:
        (tenant,) = await tenant_service.tenants_by_id(tx, [tokens.tenant_id])
    assert tenant is not None
    return SessionTokens(
        access_token=tokens.access_token,
        access_token_expires_at=tokens.access_token_expires_at,
        refresh_token=tokens.refresh_token,
        refresh_token_expires_at=tokens.refresh_token_expires_at,
        tenant=Tenant.from_row(tenant),
    )


async def _sign_in(info: Info, data: sessions.Credentials) -> SessionTokens:
    ring = await info.context.keys.ring()
    viewer = info.context.viewer
    try:
        async with platform_tx() as tx:
            delay = await throttle.delay_before_attempt(
                tx, sessions.account_key(data.identifier), viewer.source_address
            )
        # Slow guessing down without holding a connection meanwhile.
        await asyncio.sleep(delay)
        async with platform_tx() as tx:
            tokens = await sessions.sign_in(tx, ring, data, viewer)
    except errors.AuthError as error:
        # The sign-in's transaction rolled back; the refusal is kept in its own.
        async with platform_tx() as tx:
            await sessions.record_failed_sign_in(tx, data, error, viewer)
        raise
    return await _tokens_view(tokens)


async def _refresh(info: Info, refresh_token: str) -> SessionTokens:
    ring = await info.context.keys.ring()
    async with platform_tx() as tx:
        outcome = await sessions.refresh(tx, ring, refresh_token, info.context.viewer)
    if isinstance(outcome, errors.InvalidRefreshToken):
        raise outcome
    return await _tokens_view(outcome)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in with an email or phone number and a password.")
    async def session_create(self, info: Info, input: SessionCreateInput) -> SessionCreateResult:  # noqa: A002
        data = sessions.Credentials(identifier=input.identifier, password=input.password, tenant_slug=input.tenant)
        return await SESSION_CREATE_ERRORS.guard(_sign_in(info, data))

    @strawberry.mutation(description="Exchange a refresh token for new tokens (the old one stops working).")
    async def session_refresh(self, info: Info, input: SessionRefreshInput) -> SessionRefreshResult:  # noqa: A002
        return await SESSION_REFRESH_ERRORS.guard(_refresh(info, input.refresh_token))

    @strawberry.mutation(description="Sign out: ends the caller's session; its tokens stop working at once.")
    async def session_revoke(self, info: Info) -> bool:
        async with platform_tx() as tx:
            return await sessions.sign_out(tx, info.context.viewer)
