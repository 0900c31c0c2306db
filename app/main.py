"""``create_app()``: the Litestar application, wired in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from app.api.context import context_getter
from app.api.http import graphql_controller
from app.api.schema import make_schema
from app.graphiql.controller import GraphiQL
from app.health import HealthController
from app.i18n import negotiate, translate
from app.logs import configure_logging
from app.requests import RequestIdMiddleware, request_id_of
from app.runtime import Runtime
from app.settings import Settings, get_settings
from tenants.identity.http import jwks
from tenants.partners.http import token_endpoint

log = structlog.get_logger(__name__)


def internal_error(request: Request, error: Exception) -> Response[dict[str, str]]:  # type: ignore[type-arg]
    """Log the error with its request id; tell the client only that id."""
    request_id = request_id_of(request.scope)
    if isinstance(error, HTTPException) and error.status_code < HTTP_500_INTERNAL_SERVER_ERROR:
        return Response(
            {"error": error.detail, "request_id": request_id}, status_code=error.status_code, headers=error.headers
        )
    log.error("http.unhandled_error", exc_info=error)
    locale = negotiate(request.headers.get("accept-language"))
    return Response(
        {"error": translate("api.INTERNAL_ERROR", locale, request_id=request_id), "request_id": request_id},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


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
        try:
            yield
        finally:
            await runtime.stop()

    graphiql = GraphiQL.load() if settings.introspection_enabled else None
    graphql = graphql_controller(make_schema(settings), context_getter=context_getter(runtime), graphiql=graphiql)
    return Litestar(
        route_handlers=[HealthController, jwks, token_endpoint, graphql, *([graphiql.route()] if graphiql else [])],
        lifespan=[lifespan],
        middleware=[DefineMiddleware(RequestIdMiddleware)],
        exception_handlers={Exception: internal_error},
        dependencies={
            "runtime": Provide(lambda: runtime, sync_to_thread=False),
            "keys": Provide(lambda: runtime.keys, sync_to_thread=False),
        },
        openapi_config=None,
        logging_config=None,  # app.logs configures logging for the whole process
        debug=False,
    )
