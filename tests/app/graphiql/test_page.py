"""GraphiQL's page names only files Socle serves itself, and Socle serves them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from app.graphiql.assets import NODE_MODULES, NPM_FILES, START_SCRIPT, MissingAssets, load_assets
from app.graphiql.controller import GraphiQL
from app.main import create_app
from app.settings import Settings
from tenants.identity.http import CSRF_COOKIE, CSRF_HEADER
from tests.graphql_client import serve

pytestmark = pytest.mark.usefixtures("migrated")

POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class _Links(HTMLParser):
    """Every address a page's elements name."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [(tag, value) for name, value in attrs if name in {"src", "href"} and value is not None]


def _links(page: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(page)
    return parser.links


async def test_page_names_only_files_of_this_origin(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert (response.status_code, response.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert response.headers["content-security-policy"] == POLICY
    assert "://" not in response.text
    assets = {key: f"/graphiql/assets/{asset.name}" for key, asset in load_assets().items()}
    assert _links(response.text) == [
        ("link", "data:,"),
        *(("script", assets[key]) for key in ("react", "react_dom", "js_cookie")),
        *(("link", assets[key]) for key in ("graphiql_css", "explorer_css")),
        *(("script", assets[key]) for key in ("graphiql", "explorer", "start")),
    ]
    assert f'data-csrf-cookie="{CSRF_COOKIE}" data-csrf-header="{CSRF_HEADER}"' in response.text


async def test_every_file_of_the_page_is_served_for_good(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql", headers={"Accept": "text/html"})).text
    files = [*(NODE_MODULES / file for file in NPM_FILES.values()), START_SCRIPT]
    served = {}
    for _, link in _links(page)[1:]:
        response = await client.get(link)
        assert response.status_code == 200, link
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        served[link] = (response.headers["content-type"], response.content)
    expected = {
        ("text/css; charset=utf-8" if file.suffix == ".css" else "text/javascript; charset=utf-8", file.read_bytes())
        for file in files
    }
    assert len(served) == len(files) == 8
    assert set(served.values()) == expected


async def test_an_unknown_file_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphiql/assets/graphiql.0000000000000000.min.js")
    assert (response.status_code, response.json()["request_id"]) == (404, response.headers["x-request-id"])


async def test_no_graphiql_without_introspection(settings: Settings) -> None:
    async with serve(create_app(settings.model_copy(update={"graphql_introspection": False}))) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert (response.status_code, response.text) == (404, "Not Found")


def test_missing_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(MissingAssets) as raised:
        GraphiQL.load(tmp_path)
    assert str(raised.value) == (
        f"GraphiQL's files are missing from {tmp_path} (react/umd/react.production.min.js, "
        "react-dom/umd/react-dom.production.min.js, js-cookie/dist/js.cookie.min.js, graphiql/graphiql.min.css, "
        "graphiql/graphiql.min.js, @graphiql/plugin-explorer/dist/style.css, "
        "@graphiql/plugin-explorer/dist/index.umd.js): run `make setup`, which runs `npm ci` in "
        "app/graphiql/assets, or turn GraphiQL off with SOCLE_GRAPHQL_INTROSPECTION=false"
    )
