"""Identity at the HTTP edge: who a request comes from, browser sessions in
cookies, and the public keys that verify access tokens.

Browsers keep their tokens in HttpOnly, Secure, SameSite cookies, with a
double-submit CSRF token that every POST carrying the session's cookies must
echo, in the ``X-CSRF-Token`` header (scripts) or a form field (pages): a page
of another site can send the cookies, it cannot read the CSRF cookie to copy it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

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

ACCESS_COOKIE = "__Host-socle_access"
"""The access token, sent with every request to Socle."""
REFRESH_COOKIE = "__Secure-socle_refresh"
"""The refresh token, sent to ``/graphql`` and to the pages, which refresh a
session whose access token expired while its user was filling a form."""
CSRF_COOKIE = "__Host-socle_csrf"
"""The CSRF token, readable by the page, which echoes it in ``X-CSRF-Token``."""
CSRF_HEADER = "x-csrf-token"
PRE_SESSION_CSRF_LIFETIME = timedelta(hours=12)
"""How long the CSRF cookie of a browser not signed in lasts."""


@dataclass(frozen=True)
class _Cookie:
    name: str
    path: str
    httponly: bool
    samesite: Literal["lax", "strict"]


# The prefixes make browsers refuse these cookies unless Secure, and the
# __Host- ones unless on Path=/ without Domain: no subdomain can plant them.
_ACCESS = _Cookie(ACCESS_COOKIE, "/", httponly=True, samesite="lax")
_REFRESH = _Cookie(REFRESH_COOKIE, "/", httponly=True, samesite="strict")
_CSRF = _Cookie(CSRF_COOKIE, "/", httponly=False, samesite="lax")


def _max_age(expires_at: datetime) -> int:
    return max(0, int((expires_at - datetime.now(UTC)).total_seconds()))


def _set(response: Response, cookie: _Cookie, value: str, max_age: int) -> None:  # type: ignore[type-arg]
    response.set_cookie(
        cookie.name,
        value,
        max_age=max_age,
        path=cookie.path,
        secure=True,
        httponly=cookie.httponly,
        samesite=cookie.samesite,
    )


def set_session_cookies(
    response: Response,  # type: ignore[type-arg]
    access_token: str,
    access_expires_at: datetime,
    refresh_token: str,
    refresh_expires_at: datetime,
    *,
    csrf_token: str | None = None,
) -> None:
    """Keep a session's tokens in cookies scripts cannot read, plus the CSRF
    token they must echo: ``csrf_token`` when given (a refresh keeps the one the
    open pages' forms carry), a new one otherwise."""
    _set(response, _ACCESS, access_token, _max_age(access_expires_at))
    _set(response, _REFRESH, refresh_token, _max_age(refresh_expires_at))
    _set(response, _CSRF, csrf_token or new_csrf_token(), _max_age(refresh_expires_at))


def new_csrf_token() -> str:
    """A fresh CSRF token."""
    return secrets.token_urlsafe(24)


def set_csrf_cookie(response: Response, csrf_token: str) -> None:  # type: ignore[type-arg]
    """Give a browser without a session the CSRF token its first form echoes
    (signing in is a POST too, which another site must not make for it)."""
    _set(response, _CSRF, csrf_token, int(PRE_SESSION_CSRF_LIFETIME.total_seconds()))


def clear_session_cookies(response: Response) -> None:  # type: ignore[type-arg]
    """Forget the session's cookies."""
    # Expired with the attributes they were set with: browsers ignore a
    # prefixed cookie's Set-Cookie without Secure, even one that deletes it.
    for cookie in (_ACCESS, _REFRESH, _CSRF):
        _set(response, cookie, "", 0)


def csrf_ok(request: Request, presented: str | None = None) -> bool:  # type: ignore[type-arg]
    """Whether a request echoes its CSRF cookie: ``presented`` (a form's field)
    when given, the ``X-CSRF-Token`` header otherwise."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    echoed = presented if presented is not None else request.headers.get(CSRF_HEADER, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), echoed.encode())


def _acts_with_session_cookies(request: Request, bearer: str | None) -> bool:  # type: ignore[type-arg]
    """Whether a request may act with the browser session's cookies: its access
    cookie authenticates it (no bearer token), or it carries the refresh
    cookie, which ``sessionRefresh`` reads (the access cookie has often
    expired by then)."""
    return (bearer is None and ACCESS_COOKIE in request.cookies) or REFRESH_COOKIE in request.cookies


_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def bearer_token(request: Request) -> str | None:  # type: ignore[type-arg]
    """The bearer token of the ``Authorization`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def resolve_viewer(
    request: Request,  # type: ignore[type-arg]
    keys: KeyStore,
    *,
    locale: str,
    request_id: str,
    csrf_token: str | None = None,
) -> Viewer:
    """The request's viewer, from a bearer token (apps, scripts) or the
    session cookie (browsers, which must also echo the CSRF token in every
    POST that carries the access or the refresh cookie: ``csrf_token``, a
    form's, or the header). No token: anonymous. A token that is forged,
    expired, or whose session or membership ended: 401, so that the client
    refreshes or signs in again."""
    bearer = bearer_token(request)
    if request.method != "GET" and _acts_with_session_cookies(request, bearer) and not csrf_ok(request, csrf_token):
        raise PermissionDeniedException("missing or wrong CSRF token")
    return await viewer_of_token(
        bearer or request.cookies.get(ACCESS_COOKIE), keys, locale=locale, request_id=request_id, request=request
    )


async def viewer_of_token(
    token: str | None,
    keys: KeyStore,
    *,
    locale: str,
    request_id: str,
    request: Request,  # type: ignore[type-arg]
) -> Viewer:
    """The viewer an access token stands for (anonymous without one); 401
    for a token that does not verify or whose session or membership ended."""
    source = request.client.host if request.client else None
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
