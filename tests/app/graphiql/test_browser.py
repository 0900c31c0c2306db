"""GraphiQL in headless Chromium, cut off from every other origin: it renders,
signs in with cookies and runs queries with Socle's files alone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Page, Route

from app.graphiql.assets import load_assets
from app.main import create_app
from app.settings import Settings
from tenants.roles import Role
from tests.browser import chromium
from tests.factories import PASSWORD, make_tenant, make_user
from tests.graphql_client import serve_over_tcp

pytestmark = pytest.mark.usefixtures("migrated")

EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT = ".graphiql-response .CodeMirror"


@pytest.fixture
async def origin(settings: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn on a free local port, lifespan running."""
    async with serve_over_tcp(create_app(settings)) as served:
        yield served


async def _run(page: Page, query: str) -> Any:
    """Type ``query`` in GraphiQL's editor, run it, and read the result it shows."""
    await page.click(EDITOR)
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(query)
    result = f"document.querySelector('{RESULT}').CodeMirror"
    await page.evaluate(f"{result}.setValue('')")
    await page.click(".graphiql-execute-button")
    # Polled from here: the page's policy forbids the eval that Playwright's waiting functions use.
    for _ in range(200):
        if text := await page.evaluate(f"{result}.getValue()"):
            return json.loads(text)
        await asyncio.sleep(0.05)
    raise AssertionError(f"GraphiQL showed no result for {query}")


async def test_graphiql_works_without_internet(origin: str) -> None:
    tenant = await make_tenant()
    user = await make_user(tenant, Role.MANAGER)
    requests: list[tuple[str, str]] = []
    elsewhere: list[str] = []

    async def local_only(route: Route) -> None:
        url = route.request.url
        if url.startswith(f"{origin}/"):
            requests.append((route.request.method, url.removeprefix(origin)))
            await route.continue_()
        else:
            elsewhere.append(url)
            await route.abort()

    async with chromium() as browser:
        context = await browser.new_context()
        await context.route("**/*", local_only)
        page = await context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{origin}/graphql")
        await page.wait_for_selector(EDITOR)
        await page.wait_for_selector(".graphiql-execute-button")
        assert "Chargement" not in await page.inner_text("body")

        anonymous = await _run(page, "{ viewer { authenticated } }")
        signed_in = await _run(
            page,
            f'mutation {{ sessionCreate(input: {{identifier: "{user.email}", password: "{PASSWORD}", '
            "cookies: true}) { __typename } }",
        )
        # A POST with the session cookie is refused unless it echoes the CSRF cookie: GraphiQL does.
        viewer = await _run(page, "{ viewer { authenticated name } }")

    assert anonymous == {"data": {"viewer": {"authenticated": False}}}
    assert signed_in == {"data": {"sessionCreate": {"__typename": "SessionTokens"}}}
    assert viewer == {"data": {"viewer": {"authenticated": True, "name": user.full_name}}}
    assert elsewhere == []
    assert errors == []
    # The page, its eight files, then the schema's introspection and the three operations.
    assert sorted(requests) == sorted(
        [
            ("GET", "/graphql"),
            *(("GET", f"/graphiql/assets/{asset.name}") for asset in load_assets().values()),
            *[("POST", "/graphql")] * 4,
        ]
    )
