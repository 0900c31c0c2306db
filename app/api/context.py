"""The GraphQL context of the web app: the request's viewer, its loaders and
the process services resolvers of the app layer need."""

from __future__ import annotations

from litestar import Request

from app.auth.keys import KeyStore
from app.auth.viewer import resolve_viewer
from app.i18n import translate
from app.runtime import Runtime
from tenants.graphql import Loaders, RequestContext


class AppContext(RequestContext, kw_only=True):
    """``info.context`` of the app layer's resolvers (sign-in, sign-out)."""

    runtime: Runtime

    @property
    def keys(self) -> KeyStore:
        """The process's signing keys."""
        return self.runtime.keys


def context_getter(runtime: Runtime):  # type: ignore[no-untyped-def]
    """A Strawberry context getter bound to the process's services."""

    async def get_context(request: Request) -> AppContext:  # type: ignore[type-arg]
        viewer = await resolve_viewer(request, runtime.keys)
        return AppContext(
            viewer=viewer,
            loaders=Loaders(viewer),
            translate=lambda code, params: translate(code, viewer.locale, **params),
            link_secret=runtime.outbound.link_secret,
            runtime=runtime,
        )

    return get_context
