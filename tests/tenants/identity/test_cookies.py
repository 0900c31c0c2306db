"""Browser sessions in HttpOnly cookies, with CSRF protection on every POST."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tenants.identity.tables import User
from tenants.roles import Role
from tests.factories import PASSWORD, make_tenant, make_user
from tests.graphql_client import serve

pytestmark = pytest.mark.usefixtures("migrated")

SIGN_IN = """
mutation ($identifier: String!, $password: String!) {
  sessionCreate(input: {identifier: $identifier, password: $password, cookies: true}) {
    ... on SessionTokens { accessToken refreshToken tenant { slug } }
  }
}
"""
VIEWER = "{ viewer { authenticated role } }"


@pytest.fixture
async def browser(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings), base_url="https://socle.test") as client:
        yield client


@pytest.fixture
async def manager() -> User:
    return await make_user(await make_tenant(), Role.MANAGER)


async def _post(browser: httpx.AsyncClient, query: str, *, csrf: str | None) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return await browser.post("/graphql", json={"query": query}, headers=headers)


async def _sign_in(browser: httpx.AsyncClient, user: User) -> httpx.Response:
    return await browser.post(
        "/graphql", json={"query": SIGN_IN, "variables": {"identifier": user.email, "password": PASSWORD}}
    )


async def test_cookies_carry_the_session(browser: httpx.AsyncClient, manager: User) -> None:
    response = await _sign_in(browser, manager)
    body = response.json()["data"]["sessionCreate"]
    assert (body["accessToken"], body["refreshToken"]) == (None, None)
    set_cookies = {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}
    assert set(set_cookies) == {"socle_access", "socle_refresh", "socle_csrf"}
    for name in ("socle_access", "socle_refresh"):
        assert "HttpOnly" in set_cookies[name] and "Secure" in set_cookies[name]
    assert "SameSite=strict" in set_cookies["socle_refresh"] and "Path=/graphql" in set_cookies["socle_refresh"]
    assert "HttpOnly" not in set_cookies["socle_csrf"]

    csrf = browser.cookies["socle_csrf"]
    answered = await _post(browser, VIEWER, csrf=csrf)
    assert answered.json() == {"data": {"viewer": {"authenticated": True, "role": "MANAGER"}}}


@pytest.mark.parametrize("csrf", [None, "pas-le-bon"])
async def test_a_post_without_the_csrf_token_is_refused(
    browser: httpx.AsyncClient, manager: User, csrf: str | None
) -> None:
    await _sign_in(browser, manager)
    response = await _post(browser, VIEWER, csrf=csrf)
    assert (response.status_code, response.json()["error"]) == (403, "missing or wrong CSRF token")


async def test_refresh_and_sign_out_with_cookies(browser: httpx.AsyncClient, manager: User) -> None:
    await _sign_in(browser, manager)
    old_access = browser.cookies["socle_access"]
    csrf = browser.cookies["socle_csrf"]
    refreshed = await _post(browser, "mutation { sessionRefresh(input: {}) { __typename } }", csrf=csrf)
    assert refreshed.json() == {"data": {"sessionRefresh": {"__typename": "SessionTokens"}}}
    assert browser.cookies["socle_access"] != old_access

    csrf = browser.cookies["socle_csrf"]
    signed_out = await _post(browser, "mutation { sessionRevoke }", csrf=csrf)
    assert signed_out.json() == {"data": {"sessionRevoke": True}}
    assert "socle_access" not in browser.cookies
    anonymous = await _post(browser, VIEWER, csrf=None)
    assert anonymous.json() == {"data": {"viewer": {"authenticated": False, "role": None}}}
