"""Browser sessions in HttpOnly cookies, with CSRF protection on every POST."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tenants.identity.http import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
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
REFRESH = "mutation { sessionRefresh(input: {}) { __typename } }"


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
    # Every attribute but the lifetime; no Domain, which __Host- forbids.
    attributes = {
        line.split("=", 1)[0]: sorted(
            part.strip() for part in line.split(";")[1:] if not part.strip().startswith(("Max-Age", "Expires"))
        )
        for line in response.headers.get_list("set-cookie")
    }
    assert attributes == {
        "__Host-socle_access": ["HttpOnly", "Path=/", "SameSite=lax", "Secure"],
        "__Secure-socle_refresh": ["HttpOnly", "Path=/", "SameSite=strict", "Secure"],
        "__Host-socle_csrf": ["Path=/", "SameSite=lax", "Secure"],
    }

    csrf = browser.cookies[CSRF_COOKIE]
    answered = await _post(browser, VIEWER, csrf=csrf)
    assert answered.json() == {"data": {"viewer": {"authenticated": True, "role": "MANAGER"}}}


@pytest.mark.parametrize("csrf", [None, "pas-le-bon"])
async def test_a_post_without_the_csrf_token_is_refused(
    browser: httpx.AsyncClient, manager: User, csrf: str | None
) -> None:
    await _sign_in(browser, manager)
    response = await _post(browser, VIEWER, csrf=csrf)
    assert (response.status_code, response.json()["error"]) == (403, "missing or wrong CSRF token")


@pytest.mark.parametrize("csrf", [None, "pas-le-bon"])
async def test_a_refresh_with_the_cookie_needs_the_csrf_token(
    browser: httpx.AsyncClient, manager: User, csrf: str | None
) -> None:
    await _sign_in(browser, manager)
    # The access cookie has expired, as it has when a page refreshes: the refresh cookie alone is sent.
    browser.cookies.delete(ACCESS_COOKIE)
    refused = await _post(browser, REFRESH, csrf=csrf)
    assert (refused.status_code, refused.json()["error"]) == (403, "missing or wrong CSRF token")
    assert ACCESS_COOKIE not in browser.cookies

    refreshed = await _post(browser, REFRESH, csrf=browser.cookies[CSRF_COOKIE])
    assert refreshed.json() == {"data": {"sessionRefresh": {"__typename": "SessionTokens"}}}


async def test_refresh_and_sign_out_with_cookies(browser: httpx.AsyncClient, manager: User) -> None:
    await _sign_in(browser, manager)
    old_access = browser.cookies[ACCESS_COOKIE]
    csrf = browser.cookies[CSRF_COOKIE]
    refreshed = await _post(browser, REFRESH, csrf=csrf)
    assert refreshed.json() == {"data": {"sessionRefresh": {"__typename": "SessionTokens"}}}
    assert browser.cookies[ACCESS_COOKIE] != old_access

    csrf = browser.cookies[CSRF_COOKIE]
    signed_out = await _post(browser, "mutation { sessionRevoke }", csrf=csrf)
    assert signed_out.json() == {"data": {"sessionRevoke": True}}
    cleared = sorted(line.split("=", 1)[0] for line in signed_out.headers.get_list("set-cookie") if "Secure" in line)
    assert cleared == [ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE]
    assert list(browser.cookies) == []
    anonymous = await _post(browser, VIEWER, csrf=None)
    assert anonymous.json() == {"data": {"viewer": {"authenticated": False, "role": None}}}
