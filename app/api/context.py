"""The GraphQL context of the web app: the request's viewer, its loaders and
the process services resolvers need."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Request

from app.i18n import negotiate, translate
from app.requests import request_id_of
from app.runtime import Runtime
from schemes.documents.storage import DOCUMENT_STORE
from schemes.imports.service import IMPORT_FILES, IMPORT_SETTINGS, ImportSettings
from tenants.graphql import Loaders, RequestContext
from tenants.identity.http import resolve_viewer
from tenants.services import Services


def context_getter(runtime: Runtime) -> Callable[[Request], Awaitable[RequestContext]]:  # type: ignore[type-arg]
    """A Strawberry context getter bound to the process's services."""
    services = Services(
        {
            DOCUMENT_STORE: runtime.storage,
            IMPORT_FILES: runtime.storage,
            IMPORT_SETTINGS: ImportSettings(max_bytes=runtime.settings.import_max_bytes),
        }
    )

    async def get_context(request: Request) -> RequestContext:  # type: ignore[type-arg]
        locale = negotiate(request.headers.get("accept-language"))
        viewer = await resolve_viewer(request, runtime.keys, locale=locale, request_id=request_id_of(request.scope))
        return RequestContext(
            viewer=viewer,
            loaders=Loaders(viewer),
            translate=lambda code, params: translate(code, viewer.locale, **params),
            link_secret=runtime.outbound.link_secret,
            keys=runtime.keys,
            services=services,
        )

    return get_context
