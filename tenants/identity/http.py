"""Identity at the HTTP edge: who a request comes from, browser sessions in
cookies, and the public keys that verify access tokens.

Browsers keep their tokens in HttpOnly, Secure, SameSite cookies, with a
double-submit CSRF token that every cookie-authenticated POST must echo in
the ``X-CSRF-Token`` header (a page of another site can send the cookies, it
cannot read the CSRF cookie to copy it).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from tenants.context import ANONYMOUS, PrincipalKind, Viewer
from tenants.identity import service as identity_service
from tenants.identity import tokens
from tenants.identity.keys import KeyStore
from tenants.partners import service as partner_service
from tenants.tx import platform_tx

ACCESS_COOKIE = "socle_access"
REFRESH_COOKIE = "socle_refresh"
CSRF_COOKIE = "socle_csrf"
CSRF_HEADER = "x-csrf-token"


def _max_age(expires_at: datetime) -> int:
    return max(0, int((expires_at - datetime.now(UTC)).total_seconds()))


def set_session_cookies(
    response: Response,  # type: ignore[type-arg]
    access_token: str,
    access_expires_at: datetime,
    refresh_token: str,
    refresh_expires_at: datetime,
) -> None:
    """Keep a session's tokens in cookies scripts cannot read, plus the CSRF token they must echo."""
    response.set_cookie(
        ACCESS_COOKIE,
        access_token,
        max_age=_max_age(access_expires_at),
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=_max_age(refresh_expires_at),
        path="/graphql",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        max_age=_max_age(refresh_expires_at),
        path="/",
        secure=True,
        httponly=False,
        samesite="lax",
    )


def clear_session_cookies(response: Response) -> None:  # type: ignore[type-arg]
    """Forget the session's cookies."""
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/graphql")
    response.delete_cookie(CSRF_COOKIE, path="/")


def csrf_ok(request: Request) -> bool:  # type: ignore[type-arg]
    """Whether a request echoes its CSRF cookie in the ``X-CSRF-Token`` header."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    return bool(cookie) and hmac.compare_digest(cookie, header)


_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def bearer_token(request: Request) -> str | None:  # type: ignore[type-arg]
    """The bearer token of the ``Authorization`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def resolve_viewer(request: Request, keys: KeyStore, *, locale: str, request_id: str) -> Viewer:  # type: ignore[type-arg]
    """The request's viewer, from a bearer token (apps, scripts) or the
    session cookie (browsers, which must also echo the CSRF token). No token:
    anonymous. A token that is forged, expired, or whose session or membership
    ended: 401, so that the client refreshes or signs in again."""
    source = request.client.host if request.client else None
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        if token is not None and request.method != "GET" and not csrf_ok(request):
            raise PermissionDeniedException("missing or wrong CSRF token")
    if token is None:
        return Viewer(principal=ANONYMOUS, tenant=None, locale=locale, request_id=request_id, source_address=source)
    claims = tokens.verify(await keys.ring_knowing(tokens.kid_of(token)), token)
    if claims is None or (claims.kind is PrincipalKind.USER and claims.session_id is None):
        raise NotAuthorizedException("invalid access token", headers=_INVALID_TOKEN)
    async with platform_tx() as tx:
        if claims.kind is PrincipalKind.CLIENT:
            context = await partner_service.client_context(
                tx, claims.subject, claims.tenant_id, claims.scopes, request_id
            )
        else:
            assert claims.session_id is not None
            context = await identity_service.user_context(
                tx, claims.subject, claims.tenant_id, claims.session_id, request_id
            )
    if context is None:
        raise NotAuthorizedException("session ended or application revoked", headers=_INVALID_TOKEN)
    context = replace(context, source_address=source)
    return Viewer(
        principal=context.principal, tenant=context, locale=locale, request_id=request_id, source_address=source
    )


@get("/.well-known/jwks.json", include_in_schema=False, cache_control=CacheControlHeader(max_age=300))
async def jwks(keys: NamedDependency[KeyStore]) -> dict[str, Any]:
    """The public keys that verify Socle's access tokens (RFC 7517), read
    afresh so that a key rotated in by another process is published at once."""
    await keys.reload()
    ring = await keys.ring()
    return ring.jwks()
