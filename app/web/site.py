"""The pages' assembly: every domain's pages under one router, the templates
they share, the static files, the session and CSRF checks that run before any
page handler, and the error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import phonenumbers
import structlog
from litestar import MediaType, Request, Response, Router, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect
from litestar.status_codes import (
    HTTP_303_SEE_OTHER,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
)
from strawberry import Schema

from app.api.context import Contexts
from app.i18n import chosen_locale, translate
from app.requests import request_id_of
from app.runtime import Runtime
from app.storage_http import FORM_OVERHEAD
from app.web.assets import StaticFiles
from app.web.language import language_switch
from tenants.context import ANONYMOUS, Viewer
from tenants.formats import currency_sign, in_words, money, thousands
from tenants.identity import sessions
from tenants.identity.errors import InvalidRefreshToken
from tenants.identity.http import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    clear_session_cookies,
    csrf_ok,
    new_csrf_token,
    resolve_viewer,
    set_csrf_cookie,
    set_session_cookies,
    viewer_of_token,
)
from tenants.permissions import Permission
from tenants.tx import RequestTransaction, platform_tx
from tenants.web import PAGE_POLICY, MenuItem, Page, PageError, PageSet, SignInNeeded, sign_in_path

log = structlog.get_logger(__name__)

HERE = Path(__file__).parent
STATIC_PREFIX = "/static"
CSRF_FIELD = "_csrf"


def _template_text(code: str, locale: str, params: Any) -> str:
    return translate(code, locale, **params)


def environment(page_sets: Sequence[PageSet]) -> jinja2.Environment:
    """The templates of the web layer (``web/…``) and of each domain (``<name>/…``)."""
    loaders: dict[str, jinja2.BaseLoader] = {"web": jinja2.FileSystemLoader(HERE / "templates")}
    loaders.update({pages.name: jinja2.FileSystemLoader(pages.templates) for pages in page_sets})
    templates = jinja2.Environment(
        loader=jinja2.PrefixLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    templates.filters.update(
        day=day,
        moment=moment,
        thousands=thousands,
        money=money,
        in_words=in_words,
        currency_sign=currency_sign,
        percent=percent,
        phone=phone,
        enum_option=enum_option,
    )
    templates.globals.update(permissions=Permission)
    return templates


def day(value: str | None) -> str:
    """An API date (``1990-12-31``) as people in the field write it: ``31/12/1990``."""
    if not value:
        return ""
    year, month, day_of_month = value[:10].split("-")
    return f"{day_of_month}/{month}/{year}"


def moment(value: str) -> str:
    """An API timestamp (UTC, ISO 8601) to the minute: ``31/12/2026 14:05 UTC``."""
    return f"{day(value)} {value[11:16]} UTC"


def phone(value: str | None) -> str:
    """A phone number in E.164 as people read it: ``+221 77 123 45 67``."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def percent(basis_points: int | None, locale: str) -> str:
    """Basis points as a percentage: ``350`` is ``3,5 %`` (``3.5%`` in English)."""
    if basis_points is None:
        return ""
    value = f"{basis_points / 100:.2f}".rstrip("0").rstrip(".")
    return f"{value.replace('.', ',')}\u00a0%" if locale == "fr" else f"{value}%"


def enum_option(value: str, enum: str, t: Callable[..., str]) -> tuple[str, str]:
    """A select's option for an API enum's value, labelled in the page's language."""
    return value, t(f"enum.{enum}.{value}")


@dataclass(frozen=True)
class Site:
    """The pages of one process."""

    runtime: Runtime
    schema: Schema
    templates: jinja2.Environment
    static: StaticFiles
    contexts: Contexts
    page_sets: Sequence[PageSet]

    @classmethod
    def make(cls, runtime: Runtime, schema: Schema, page_sets: Sequence[PageSet]) -> Site:
        """The site of ``page_sets``, serving their operations with ``schema``."""
        static = StaticFiles.load(HERE / "static", STATIC_PREFIX)
        templates = environment(page_sets)
        templates.globals.update(
            static=static.url, csrf_field=CSRF_FIELD, menu=[item for pages in page_sets for item in pages.menu]
        )
        return cls(
            runtime=runtime,
            schema=schema,
            templates=templates,
            static=static,
            contexts=Contexts(runtime),
            page_sets=page_sets,
        )

    def router(self) -> Router:
        """Every page, the language switch and the static files; the page
        dependency checks the session and the CSRF token first."""
        return Router(
            path="/",
            route_handlers=[
                *(handler for pages in self.page_sets for handler in pages.handlers),
                Router(
                    path="/",
                    route_handlers=[handler for pages in self.page_sets for handler in pages.uploads],
                    request_max_body_size=self.upload_limit,
                ),
                self.home(),
                language_switch,
                self.static.route(),
            ],
            dependencies={"page": Provide(self.page)},
            exception_handlers={
                PageError: self.page_error,
                SignInNeeded: self.sign_in_needed,
                Exception: self.unexpected_error,
            },
            include_in_schema=False,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Site:
        # Litestar copies a router when registering it, with the handlers and
        # dependencies bound to the site: they must keep the process's one site.
        return self

    @property
    def upload_limit(self) -> int:
        """The largest body of a form with a file: the largest file allowed, and the form's fields."""
        return self.runtime.settings.upload_max_bytes + FORM_OVERHEAD

    @property
    def menu(self) -> list[MenuItem]:
        """Every domain's entries of the menu, in the order of the page sets."""
        return [item for pages in self.page_sets for item in pages.menu]

    def home(self) -> HTTPRouteHandler:
        """``/``: the first page of the menu the viewer's role opens, or the sign-in page."""
        menu = self.menu

        @get("/")
        async def home(page: NamedDependency[Page]) -> Response[str] | Redirect:
            page.require()
            for item in menu:
                if page.allows(item.permission):
                    return page.redirect(item.path)
            return page.render("web/home.html")

        return home

    async def page(self, request: Request) -> AsyncIterator[Page]:  # type: ignore[type-arg]
        """The :class:`Page` of a request: its language, its CSRF token (a
        POST must echo it, signed in or not), and its viewer, from the
        session's access cookie or, once that expired, its refresh cookie."""
        locale = chosen_locale(request)
        cookies: list[Cookie] = []
        presented = None
        if request.method == "POST":
            form = await request.form()
            presented = str(form.get(CSRF_FIELD, ""))
            if not csrf_ok(request, presented):
                raise PageError(HTTP_403_FORBIDDEN, "page.CSRF")
        csrf_token = request.cookies.get(CSRF_COOKIE) or ""
        if not csrf_token:
            csrf_token = new_csrf_token()
            cookies.extend(_cookies_set_by(lambda response: set_csrf_cookie(response, csrf_token)))
        request_tx = RequestTransaction()
        try:
            viewer = await self._viewer(request, locale, request_tx, presented, csrf_token, cookies)
            yield Page(
                request=request,
                viewer=viewer,
                csrf_token=csrf_token,
                schema=self.schema,
                templates=self.templates,
                translate=_template_text,
                context_of=lambda who: self.contexts.of(who, request_tx),
                cookies=cookies,
            )
        finally:
            await request_tx.close()

    async def _viewer(
        self,
        request: Request,  # type: ignore[type-arg]
        locale: str,
        request_tx: RequestTransaction,
        presented: str | None,
        csrf_token: str,
        cookies: list[Cookie],
    ) -> Viewer:
        request_id = request_id_of(request.scope)
        if ACCESS_COOKIE not in request.cookies and REFRESH_COOKIE in request.cookies:
            return await self._refreshed(request, locale, request_id, csrf_token, cookies)
        request_tx.bind()
        try:
            return await resolve_viewer(
                request, self.runtime.keys, locale=locale, request_id=request_id, csrf_token=presented
            )
        except NotAuthorizedException:
            pass
        finally:
            request_tx.unbind()
        return await self._refreshed(request, locale, request_id, csrf_token, cookies)

    async def _refreshed(
        self,
        request: Request,  # type: ignore[type-arg]
        locale: str,
        request_id: str,
        csrf_token: str,
        cookies: list[Cookie],
    ) -> Viewer:
        """The viewer of a session whose access token expired, refreshed with
        its refresh cookie (concurrent pages of one browser get the same new
        tokens, see :func:`sessions.refresh`); anonymous, its cookies cleared,
        when the session ended."""
        source = request.client.host if request.client else None
        anonymous = Viewer(
            principal=ANONYMOUS, tenant=None, locale=locale, request_id=request_id, source_address=source
        )
        refresh_token = request.cookies.get(REFRESH_COOKIE, "")
        outcome: sessions.Tokens | InvalidRefreshToken = InvalidRefreshToken()
        if refresh_token:
            ring = await self.runtime.keys.ring()
            async with platform_tx() as tx:
                outcome = await sessions.refresh(tx, ring, refresh_token, anonymous)
        if isinstance(outcome, InvalidRefreshToken):
            cookies.extend(_cookies_set_by(clear_session_cookies))
            return anonymous
        tokens = outcome
        cookies.extend(
            _cookies_set_by(
                lambda response: set_session_cookies(
                    response,
                    tokens.access_token,
                    tokens.access_token_expires_at,
                    tokens.refresh_token,
                    tokens.refresh_token_expires_at,
                    csrf_token=csrf_token,
                )
            )
        )
        try:
            return await viewer_of_token(
                tokens.access_token, self.runtime.keys, locale=locale, request_id=request_id, request=request
            )
        except NotAuthorizedException:
            return anonymous

    def error_page(
        self,
        request: Request,  # type: ignore[type-arg]
        status_code: int,
        message_code: str,
        message: str | None = None,
    ) -> Response[str]:
        """The error page of ``status_code``, in the request's language."""
        locale = chosen_locale(request)
        body = self.templates.get_template("web/error.html").render(
            page=None,
            locale=locale,
            t=lambda code, **params: translate(code, locale, **params),
            status_code=status_code,
            message=message or translate(message_code, locale),
            request_id=request_id_of(request.scope),
        )
        return Response(
            body,
            status_code=status_code,
            media_type=MediaType.HTML,
            headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"},
        )

    def page_error(self, request: Request, error: PageError) -> Response[str]:  # type: ignore[type-arg]
        """A page refused (not found, not allowed, expired form)."""
        return self.error_page(request, error.status_code, error.message_code, error.message)

    def sign_in_needed(self, request: Request, error: SignInNeeded) -> Redirect:  # type: ignore[type-arg]
        """To the sign-in page, and back here afterwards."""
        return Redirect(sign_in_path(request), status_code=HTTP_303_SEE_OTHER)

    def unexpected_error(self, request: Request, error: Exception) -> Response[str]:  # type: ignore[type-arg]
        """A request Litestar refused (a malformed parameter, a body too
        large), or a fault of Socle's, logged with the request id the page shows."""
        if isinstance(error, HTTPException) and error.status_code < HTTP_500_INTERNAL_SERVER_ERROR:
            message = CLIENT_ERROR_PAGES.get(error.status_code, "page.BAD_REQUEST")
            return self.error_page(request, error.status_code, message)
        log.error("page.unhandled_error", exc_info=error)
        return self.error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, "page.INTERNAL_ERROR")


CLIENT_ERROR_PAGES = {
    HTTP_404_NOT_FOUND: "page.NOT_FOUND",
    HTTP_405_METHOD_NOT_ALLOWED: "page.NOT_FOUND",
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: "page.TOO_LARGE",
}
"""The error page of the client errors Litestar raises itself; any other is a bad request."""


def prefers_html(request: Request) -> bool:  # type: ignore[type-arg]
    """Whether the client is a browser navigating, which gets error pages, not JSON."""
    return request.accept.best_match([MediaType.JSON, MediaType.HTML], default=MediaType.JSON) == MediaType.HTML


def _cookies_set_by(setter: Callable[[Response[bytes]], None]) -> list[Cookie]:
    response: Response[bytes] = Response(b"")
    setter(response)
    return list(response.cookies)
