"""``create_app()``: the Litestar application, wired in one place."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException, InternalServerException
from litestar.status_codes import (
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from app.api.context import context_getter
from app.api.http import graphql_controller
from app.api.schema import make_schema
from app.forwarded import ForwardedForMiddleware
from app.graphiql.controller import GraphiQL
from app.health import HealthController
from app.i18n import chosen_locale, translate
from app.logs import configure_logging
from app.requests import RequestIdMiddleware, request_id_of
from app.runtime import Runtime
from app.settings import Settings, get_settings
from app.storage_http import storage_router
from app.web.pages import PAGE_SETS
from app.web.site import CLIENT_ERROR_PAGES, Site, prefers_html
from schemes.gateways.http import webhook
from schemes.imports.http import members_template, problems_report
from tenants.identity.http import jwks
from tenants.partners.http import token_endpoint

log = structlog.get_logger(__name__)

# Client errors raised by Litestar itself, whose English detail is replaced by
# a message in the caller's language.
_CLIENT_ERROR_MESSAGES = {
    HTTP_404_NOT_FOUND: "api.NOT_FOUND",
    HTTP_405_METHOD_NOT_ALLOWED: "api.METHOD_NOT_ALLOWED",
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: "api.REQUEST_TOO_LARGE",
}


CLIENT_CLOSED_REQUEST = 499
"""The status logged for a request whose client left before sending its body
(nginx's, for the same case): nobody reads the answer."""

# Litestar's words when the client disconnects while its body is read; it has no exception class of its own.
_CLIENT_GONE = "client disconnected prematurely"


def internal_error(request: Request, error: Exception) -> Response[dict[str, str]]:  # type: ignore[type-arg]
    """Answer every error as ``{"error", "request_id"}``: a client error with
    its status (Litestar's own in the caller's language), anything else logged
    with the request id and answered 500 telling the client only that id. A
    client that left half-way is its own business: an access line, no error."""
    request_id = request_id_of(request.scope)
    locale = chosen_locale(request)
    if isinstance(error, InternalServerException) and error.detail == _CLIENT_GONE:
        return Response({"error": _CLIENT_GONE, "request_id": request_id}, status_code=CLIENT_CLOSED_REQUEST)
    if isinstance(error, HTTPException) and error.status_code < HTTP_500_INTERNAL_SERVER_ERROR:
        code = _CLIENT_ERROR_MESSAGES.get(error.status_code)
        message = translate(code, locale) if code else error.detail
        return Response(
            {"error": message, "request_id": request_id}, status_code=error.status_code, headers=error.headers
        )
    log.error("http.unhandled_error", exc_info=error)
    return Response(
        {"error": translate("api.INTERNAL_ERROR", locale, request_id=request_id), "request_id": request_id},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


def error_answer(site: Site) -> Callable[[Request, Exception], Response[Any]]:  # type: ignore[type-arg]
    """:func:`internal_error`, but an error page to a browser navigating to
    an unknown path or with a wrong method."""

    def answer(request: Request, error: Exception) -> Response[Any]:  # type: ignore[type-arg]
        if isinstance(error, HTTPException) and error.status_code in CLIENT_ERROR_PAGES and prefers_html(request):
            return site.error_page(request, error.status_code, CLIENT_ERROR_PAGES[error.status_code])
        return internal_error(request, error)

    return answer


GC_YOUNG_THRESHOLD = 20_000
"""Allocations between two collections of the youngest generation (Python's
default is 700). A page of members allocates hundreds of thousands of
short-lived objects; at the default the collector ran hundreds of times per
request, and its full collections walked the whole heap."""


def settle_heap() -> None:
    """Once started, keep the cyclic garbage collector off what every request
    shares, and run it less often.

    Everything alive at start-up (the schema, the routes, the modules) is moved
    out of the collector's reach with ``gc.freeze()``: it stays for the
    process's life and was what made each full collection slow. Without this,
    collection took three tenths of a members page's CPU time.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None) -> Litestar:
    """The Socle web application. ``run_worker`` defaults to running jobs in
    this process when no Redis broker is configured."""
    settings = settings or get_settings()
    configure_logging(settings)
    runtime = Runtime.from_settings(settings)
    in_process_worker = settings.broker_url is None if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.start(run_worker=in_process_worker)
        settle_heap()
        try:
            yield
        finally:
            await runtime.stop()

    graphiql = GraphiQL.load() if settings.introspection_enabled else None
    schema = make_schema(settings)
    graphql = graphql_controller(schema, context_getter=context_getter(runtime, hold=True), graphiql=graphiql)
    site = Site.make(runtime, schema, PAGE_SETS)
    app = Litestar(
        route_handlers=[
            HealthController,
            jwks,
            token_endpoint,
            graphql,
            problems_report,
            members_template,
            webhook,
            storage_router(settings.upload_max_bytes),
            *([graphiql.route()] if graphiql else []),
            site.router(),
        ],
        lifespan=[lifespan],
        exception_handlers={Exception: error_answer(site)},
        request_max_body_size=settings.http_max_body_bytes,
        dependencies={
            "runtime": Provide(lambda: runtime, sync_to_thread=False),
            "keys": Provide(lambda: runtime.keys, sync_to_thread=False),
            # The viewer, its loaders and the process services, as GraphQL resolvers get them.
            "request_context": Provide(context_getter(runtime, hold=False)),
        },
        openapi_config=None,
        logging_config=None,  # app.logs configures logging for the whole process
        debug=False,
    )
    # Litestar runs application middleware for matched routes only: wrapping
    # its handler gives unknown paths and wrong methods a request id and an
    # access line too, and lets their error answer name that id.
    app.asgi_handler = ForwardedForMiddleware(RequestIdMiddleware(app.asgi_handler), settings.trusted_proxies)
    return app
