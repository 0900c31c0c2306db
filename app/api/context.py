"""The GraphQL context of the web app: the request's viewer, its loaders and
the process services resolvers need."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from litestar import Request

from app.i18n import chosen_locale, translate
from app.requests import request_id_of
from app.runtime import Runtime
from schemes.documents.storage import DOCUMENT_STORE
from schemes.gateways.registry import GATEWAYS
from schemes.imports.service import IMPORT_FILES, IMPORT_SETTINGS, ImportSettings
from tenants.context import Viewer
from tenants.graphql import Loaders, RequestContext
from tenants.identity.http import resolve_viewer
from tenants.services import Services
from tenants.tx import RequestTransaction


class Contexts:
    """Makes the context of an operation for a viewer, with the process's services."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.services = Services(
            {
                DOCUMENT_STORE: runtime.storage,
                GATEWAYS: runtime.gateways,
                IMPORT_FILES: runtime.storage,
                IMPORT_SETTINGS: ImportSettings(max_bytes=runtime.settings.import_max_bytes),
            }
        )

    def of(self, viewer: Viewer, request_tx: RequestTransaction) -> RequestContext:
        """The context of an operation of ``viewer`` whose reads share ``request_tx``."""
        return RequestContext(
            viewer=viewer,
            loaders=Loaders(viewer),
            translate=lambda code, params: translate(code, viewer.locale, **params),
            link_secret=self.runtime.outbound.link_secret,
            keys=self.runtime.keys,
            services=self.services,
            request_tx=request_tx,
        )


def context_getter(runtime: Runtime, *, hold: bool) -> Callable[[Request], AsyncIterator[RequestContext]]:  # type: ignore[type-arg]
    """A request context dependency bound to the process's services.

    The caller's lookup runs in the request's :class:`RequestTransaction`.
    With ``hold`` (GraphQL) the transaction stays open for the operation,
    which decides whether its reads share it (:class:`app.api.schema.SharedReads`);
    without, it is committed at once, for routes whose handlers open their own.
    Whatever is still open when the response is ready is rolled back.
    """
    contexts = Contexts(runtime)

    async def get_context(request: Request) -> AsyncIterator[RequestContext]:  # type: ignore[type-arg]
        locale = chosen_locale(request)
        request_tx = RequestTransaction()
        try:
            request_tx.bind()
            try:
                viewer = await resolve_viewer(
                    request, runtime.keys, locale=locale, request_id=request_id_of(request.scope)
                )
            finally:
                request_tx.unbind()
            if not hold:
                await request_tx.commit()
            yield contexts.of(viewer, request_tx)
        finally:
            await request_tx.close()

    return get_context
