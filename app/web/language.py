"""The pages' language: French unless the browser asks for English, or the
person chose one with the switch, which a cookie then remembers."""

from __future__ import annotations

from litestar import Request, get
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from app.i18n import LANGUAGE_COOKIE, LOCALES
from tenants.web import NextPath, safe_next

LANGUAGE_LIFETIME = 365 * 24 * 3600


@get("/language/{locale:str}", sync_to_thread=False)
def language_switch(locale: FromPath[str], request: Request, next_path: NextPath = None) -> Redirect:  # type: ignore[type-arg]
    """Switch the pages to ``locale`` and go back to the page the switch was on
    (a link, so that it works without JavaScript)."""
    if locale not in LOCALES:
        raise NotFoundException()
    cookie = Cookie(
        key=LANGUAGE_COOKIE,
        value=locale,
        max_age=LANGUAGE_LIFETIME,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return Redirect(safe_next(next_path), status_code=HTTP_303_SEE_OTHER, cookies=[cookie])
