"""The GraphQL context of the web app: the request's viewer, its loaders and
the process services resolvers of the app layer need."""

from __future__ import annotations

from litestar import Request

from app.auth.keys import KeyStore
from app.auth.viewer import resolve_viewer
from app.i18n import translate
from tenants.graphql import Loaders, RequestContext


class AppContext(RequestContext, kw_only=True):
    """``info.context`` of the app layer's resolvers (sign-in, sign-out)."""

    keys: KeyStore


def context_getter(keys: KeyStore):  # type: ignore[no-untyped-def]
    """A Strawberry context getter bound to the process's key store."""

    async def get_context(request: Request) -> AppContext:  # type: ignore[type-arg]
        viewer = await resolve_viewer(request, keys)
        return AppContext(
            viewer=viewer,
            loaders=Loaders(viewer),
            translate=lambda code, params: translate(code, viewer.locale, **params),
            keys=keys,
        )

    return get_context
