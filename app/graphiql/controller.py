"""GraphiQL's page on ``/graphql`` and its files on ``/graphiql/assets``,
all from Socle: the page names no other site, so GraphiQL works offline."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, ClassVar

from litestar import MediaType, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from strawberry.litestar.controller import GraphQLController

from app.graphiql.assets import NODE_MODULES, load_assets
from app.web.assets import Asset, asset_response
from tenants.identity.http import CSRF_COOKIE, CSRF_HEADER

ASSETS_PATH = "/graphiql/assets"
PAGE = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))

# The browser itself refuses anything from another origin, should a script try.
PAGE_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class GraphiQL:
    """GraphiQL's page and the files it loads, by the name they are served under."""

    page: str
    assets: Mapping[str, Asset]

    @classmethod
    def load(cls, node_modules: Path = NODE_MODULES) -> GraphiQL:
        """Read the files once; ``MissingAssets`` when npm did not install them."""
        assets = load_assets(node_modules)
        page = PAGE.substitute(
            {key: f"{ASSETS_PATH}/{asset.name}" for key, asset in assets.items()},
            csrf_cookie=html.escape(CSRF_COOKIE),
            csrf_header=html.escape(CSRF_HEADER),
        )
        return cls(page=page, assets={asset.name: asset for asset in assets.values()})

    def route(self) -> HTTPRouteHandler:
        """The route serving the page's files."""

        @get(f"{ASSETS_PATH}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
        def graphiql_asset(name: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
            asset = self.assets.get(name)
            if asset is None:
                raise NotFoundException()
            return asset_response(asset, request)

        return graphiql_asset


class GraphiQLController(GraphQLController):
    """Strawberry's controller rendering Socle's GraphiQL page instead of Strawberry's."""

    graphiql: ClassVar[GraphiQL]

    async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
        """Socle's page, under a policy that keeps the browser on this origin."""
        return Response(self.graphiql.page, media_type=MediaType.HTML, headers={"Content-Security-Policy": PAGE_POLICY})
