"""Who is calling: the access token of a request (``Authorization: Bearer``),
turned once into a Viewer."""

from __future__ import annotations

from dataclasses import replace

from litestar import Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from app.auth import cookies, tokens
from app.auth.keys import KeyStore
from app.i18n import negotiate
from app.requests import request_id_of
from tenants import clients
from tenants import service as tenant_service
from tenants.context import ANONYMOUS, PrincipalKind, Viewer
from tenants.tx import platform_tx

_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def bearer_token(request: Request) -> str | None:  # type: ignore[type-arg]
    """The bearer token of the ``Authorization`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def resolve_viewer(request: Request, keys: KeyStore) -> Viewer:  # type: ignore[type-arg]
    """The request's viewer, from a bearer token (apps, scripts) or the
    session cookie (browsers, which must also echo the CSRF token). No token:
    anonymous. A token that is forged, expired, or whose session or membership
    ended: 401, so that the client refreshes or signs in again."""
    locale = negotiate(request.headers.get("accept-language"))
    request_id = request_id_of(request.scope)
    source = request.client.host if request.client else None
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(cookies.ACCESS_COOKIE)
        if token is not None and request.method != "GET" and not cookies.csrf_ok(request):
            raise PermissionDeniedException("missing or wrong CSRF token")
    if token is None:
        return Viewer(principal=ANONYMOUS, tenant=None, locale=locale, request_id=request_id, source_address=source)
    claims = tokens.verify(await keys.ring_knowing(tokens.kid_of(token)), token)
    if claims is None or (claims.kind is PrincipalKind.USER and claims.session_id is None):
        raise NotAuthorizedException("invalid access token", headers=_INVALID_TOKEN)
    async with platform_tx() as tx:
        if claims.kind is PrincipalKind.CLIENT:
            context = await clients.client_context(tx, claims.subject, claims.tenant_id, request_id)
        else:
            assert claims.session_id is not None
            context = await tenant_service.user_context(
                tx, claims.subject, claims.tenant_id, claims.session_id, request_id
            )
    if context is None:
        raise NotAuthorizedException("session ended or application revoked", headers=_INVALID_TOKEN)
    context = replace(context, source_address=source)
    return Viewer(
        principal=context.principal, tenant=context, locale=locale, request_id=request_id, source_address=source
    )
