"""Browser sessions: tokens in HttpOnly, Secure, SameSite cookies, and a
double-submit CSRF token that every cookie-authenticated POST must echo in
the ``X-CSRF-Token`` header (a page of another site can send the cookies, it
cannot read the CSRF cookie to copy it)."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime

from litestar import Request, Response

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
