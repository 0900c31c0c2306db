"""The files GraphiQL's page loads: npm's builds of React, GraphiQL and its
explorer (installed by ``npm ci`` in ``app/graphiql/assets``) and Socle's own
start script, read once and served under names that change with their content."""

from __future__ import annotations

import functools
from pathlib import Path

from app.web.assets import Asset, hashed_asset

HERE = Path(__file__).parent
NODE_MODULES = HERE / "assets" / "node_modules"

# Page placeholder: the file npm installs, as the unpkg URLs of Strawberry's page name them.
NPM_FILES = {
    "react": "react/umd/react.production.min.js",
    "react_dom": "react-dom/umd/react-dom.production.min.js",
    "js_cookie": "js-cookie/dist/js.cookie.min.js",
    "graphiql_css": "graphiql/graphiql.min.css",
    "graphiql": "graphiql/graphiql.min.js",
    "explorer_css": "@graphiql/plugin-explorer/dist/style.css",
    "explorer": "@graphiql/plugin-explorer/dist/index.umd.js",
}
START_SCRIPT = HERE / "start.js"


class MissingAssets(Exception):
    """GraphiQL's npm packages are not installed."""

    def __init__(self, folder: Path, missing: list[str]) -> None:
        super().__init__(
            f"GraphiQL's files are missing from {folder} ({', '.join(missing)}): "
            "run `make setup`, which runs `npm ci` in app/graphiql/assets, "
            "or turn GraphiQL off with SOCLE_GRAPHQL_INTROSPECTION=false"
        )


@functools.cache
def load_assets(node_modules: Path = NODE_MODULES) -> dict[str, Asset]:
    """Every file of the page by its placeholder; ``MissingAssets`` names those npm did not install."""
    missing = [file for file in NPM_FILES.values() if not (node_modules / file).is_file()]
    if missing:
        raise MissingAssets(node_modules, missing)
    assets = {key: hashed_asset(node_modules / file) for key, file in NPM_FILES.items()}
    assets["start"] = hashed_asset(START_SCRIPT)
    return assets
