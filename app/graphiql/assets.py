"""The files GraphiQL's page loads: npm's builds of React, GraphiQL and its
explorer (installed by ``npm ci`` in ``app/graphiql/assets``) and Socle's own
start script, read once and served under names that change with their content."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

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

MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}


class MissingAssets(Exception):
    """GraphiQL's npm packages are not installed."""

    def __init__(self, folder: Path, missing: list[str]) -> None:
        super().__init__(
            f"GraphiQL's files are missing from {folder} ({', '.join(missing)}): "
            "run `make setup`, which runs `npm ci` in app/graphiql/assets, "
            "or turn GraphiQL off with SOCLE_GRAPHQL_INTROSPECTION=false"
        )


@dataclass(frozen=True)
class Asset:
    """One file of the page, with the name it is served under."""

    name: str
    content: bytes
    media_type: str


def _asset(path: Path) -> Asset:
    content = path.read_bytes()
    # The content's digest in the name lets browsers keep the file for good.
    digest = hashlib.sha256(content).hexdigest()[:16]
    return Asset(name=f"{path.stem}.{digest}{path.suffix}", content=content, media_type=MEDIA_TYPES[path.suffix])


@functools.cache
def load_assets(node_modules: Path = NODE_MODULES) -> dict[str, Asset]:
    """Every file of the page by its placeholder; ``MissingAssets`` names those npm did not install."""
    missing = [file for file in NPM_FILES.values() if not (node_modules / file).is_file()]
    if missing:
        raise MissingAssets(node_modules, missing)
    assets = {key: _asset(node_modules / file) for key, file in NPM_FILES.items()}
    assets["start"] = _asset(START_SCRIPT)
    return assets
